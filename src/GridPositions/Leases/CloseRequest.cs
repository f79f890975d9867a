namespace GridPositions;

/// <summary>A request to close one slot's position.</summary>
/// <param name="SlotPrice">The slot whose position to close.</param>
/// <param name="ExchangeQuantity">
/// The quantity the exchange says this position holds, if the caller checked (null: trust the slot). When it differs,
/// the slot is set to it and the mismatch reported; zero makes the close a successful no-op that leaves the slot flat.
/// Compared only while the slot has no order in flight; otherwise pass it again to <see cref="SuperPositionManager.ClaimCloseOrder"/>.
/// </param>
public readonly record struct CloseRequest(decimal SlotPrice, decimal? ExchangeQuantity = null);

/// <summary>How a close began.</summary>
public enum CloseStatus
{
    /// <summary>The caller holds the close lease: send <see cref="CloseStart.CancelFirst"/> if any, then claim the closing order.</summary>
    Started = 1,

    /// <summary>Nothing to close: the slot is (now) flat with no order in flight. No lease is held.</summary>
    AlreadyFlat = 2,
}

/// <summary>What <see cref="SuperPositionManager.BeginClose"/> decided.</summary>
/// <param name="Status">Started, or already flat.</param>
/// <param name="Lease">When started: the close lease. Dispose it if the close is abandoned.</param>
/// <param name="CancelFirst">When the slot had a live order: the cancel to send before the closing order (already claimed).</param>
/// <param name="Mismatch">When the exchange's quantity differed from the slot's and the slot was set to it.</param>
public sealed record CloseStart(CloseStatus Status, PositionLease? Lease, OrderAction? CancelFirst, PositionMismatch? Mismatch);

/// <summary>What <see cref="SuperPositionManager.ClaimCloseOrder"/> decided.</summary>
/// <param name="Action">The closing order to send, or null when the position turned out flat (the close is then complete).</param>
/// <param name="Mismatch">When the exchange's quantity differed from the slot's and the slot was set to it.</param>
public sealed record CloseOrder(OrderAction? Action, PositionMismatch? Mismatch);

/// <summary>A request to change one position's stop-loss and take-profit.</summary>
/// <param name="SlotPrice">The slot whose position to modify.</param>
/// <param name="StopLoss">The new stop-loss (null: unchanged). Long: below the entry price; short: above it.</param>
/// <param name="TakeProfit">The new take-profit (null: unchanged). Long: above the entry price; short: below it.</param>
/// <param name="Reason">Why, recorded with the change (for example <c>trailing_stop</c>).</param>
public readonly record struct ModifyRequest(decimal SlotPrice, decimal? StopLoss, decimal? TakeProfit, string Reason);

/// <summary>What <see cref="SuperPositionManager.CloseAll"/> started.</summary>
/// <param name="Closes">Each slot's close (started or already flat).</param>
/// <param name="Conflicts">Slots whose position another caller already holds.</param>
public sealed record FlattenPlan(IReadOnlyList<CloseStart> Closes, IReadOnlyList<PositionConflictException> Conflicts);
