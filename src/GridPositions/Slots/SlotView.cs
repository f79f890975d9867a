namespace GridPositions;

/// <summary>An immutable copy of one slot, taken under its lock.</summary>
/// <param name="Price">The slot's grid level.</param>
/// <param name="Status">What the slot's order is doing.</param>
/// <param name="Order">The slot's current order, or null when the slot is free.</param>
/// <param name="Inventory">Quantity held.</param>
/// <param name="EntryNotional">Entry notional of the quantity held.</param>
/// <param name="EntryFees">Opening fees of the quantity held, not yet realised.</param>
/// <param name="RealizedPnl">Profit realised by this slot over its life, net of fees.</param>
/// <param name="RoundTrips">Completed round trips (flat, opened, closed back to flat).</param>
public sealed record SlotView(
    decimal Price,
    SlotStatus Status,
    OrderView? Order,
    decimal Inventory,
    decimal EntryNotional,
    decimal EntryFees,
    decimal RealizedPnl,
    long RoundTrips)
{
    /// <summary>Flat when the slot holds nothing, open otherwise.</summary>
    public PositionStatus PositionStatus => Inventory == 0 ? PositionStatus.Flat : PositionStatus.Open;

    /// <summary>Average entry price of the quantity held, or null when flat.</summary>
    public decimal? AverageEntryPrice => Inventory == 0 ? null : EntryNotional / Inventory;

    /// <summary>The open position's leverage, if its opening claim gave one.</summary>
    public int? Leverage { get; init; }

    /// <summary>The open position's stop-loss distance as a fraction of entry, if its opening claim gave one.</summary>
    public decimal? StopLossFraction { get; init; }

    /// <summary>The position's stop-loss price, if set (<see cref="SuperPositionManager.ModifyTargets"/>).</summary>
    public decimal? StopLoss { get; init; }

    /// <summary>The position's take-profit price, if set.</summary>
    public decimal? TakeProfit { get; init; }

    /// <summary>The lease the position was held under when copied (<see cref="LeaseKind.None"/> if none).</summary>
    /// <remarks>A lease ends by itself at <see cref="LeaseExpiresAt"/>; compare it with your clock.</remarks>
    public LeaseKind Lease { get; init; }

    /// <summary>Base-asset fees this slot paid over its life, in quantity (already taken from <see cref="Inventory"/>).</summary>
    public decimal BaseFees { get; init; }

    /// <summary>Fees this slot paid over its life in assets neither base nor quote, by ascending name; not in <see cref="RealizedPnl"/>.</summary>
    public IReadOnlyList<AssetAmount> OtherFees { get; init; } = Fills.AssetAmountList.Empty;

    /// <summary>When that lease ends by itself.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
