namespace GridPositions;

/// <summary>What <see cref="SuperPositionManager.BeginClose"/> decided.</summary>
/// <param name="Status">Started, or already flat.</param>
/// <param name="Lease">When started: the close lease. Dispose it if the close is abandoned.</param>
/// <param name="CancelFirst">When the slot had a live order: the cancel to send before the closing order (already claimed).</param>
/// <param name="Mismatch">When the exchange's quantity differed from the slot's and the slot was set to it.</param>
public sealed record CloseStart(CloseStatus Status, PositionLease? Lease, OrderAction? CancelFirst, PositionMismatch? Mismatch);
