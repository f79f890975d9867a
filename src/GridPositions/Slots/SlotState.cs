using GridPositions.Fills;
using GridPositions.Leases;

namespace GridPositions.Slots;

/// <summary>
/// A slot's whole state at one instant, as a value: what views, the wire mapping and the journal read, and what a
/// restore builds a slot from. Read with <see cref="Slot.ReadState_NeedsLock"/>; nothing in it can change afterwards
/// (the target history is an array the slot replaces, never edits).
/// </summary>
internal readonly record struct SlotState(
    long Key,
    decimal Price,
    SlotStatus Status,
    OrderState Order,
    PositionBook Position,
    FinishedOrderState LastOrder,
    LeaseState Lease,
    int? Leverage,
    decimal? StopLossFraction,
    decimal? StopLoss,
    decimal? TakeProfit,
    TargetChange[]? TargetHistory,
    long Version)
{
    /// <summary>The public copy of the slot.</summary>
    public SlotView ToView()
    {
        OrderView? order = Status == SlotStatus.Free
            ? null
            : new OrderView(
                Order.ClientOrderId,
                Order.OrderId,
                Order.Side,
                Order.Role,
                Order.Price,
                Order.Quantity,
                Order.FilledQuantity,
                Order.ClaimToken,
                Status == SlotStatus.PendingCancel)
            {
                ClaimedAt = Order.ClaimedAt,
                PostOnly = Order.PostOnly,
                TimeInForce = Order.TimeInForce,
                PositionSide = Order.PositionSide,
            };
        return new SlotView(Price, Status, order, Position.Inventory, Position.EntryNotional, Position.EntryFees, Position.RealizedPnl, Position.RoundTrips)
        {
            Leverage = Leverage,
            StopLossFraction = StopLossFraction,
            StopLoss = StopLoss,
            TakeProfit = TakeProfit,
            Lease = Lease.Kind,
            LeaseExpiresAt = Lease.Token == 0 ? null : Lease.ExpiresAt,
            BaseFees = Position.BaseFees,
            OtherFees = Fills.AssetAmountList.Of(Position.OtherFees),
        };
    }
}
