namespace GridPositions;

/// <summary>A request to close one slot's position.</summary>
/// <param name="SlotPrice">The slot whose position to close.</param>
/// <param name="ExchangeQuantity">
/// The quantity the exchange says this position holds, if the caller checked (null: trust the slot). When it differs,
/// the slot is set to it and the mismatch reported; zero makes the close a successful no-op that leaves the slot flat.
/// Compared only while the slot has no order in flight; otherwise pass it again to <see cref="SuperPositionManager.ClaimCloseOrder"/>.
/// </param>
public readonly record struct CloseRequest(decimal SlotPrice, decimal? ExchangeQuantity = null);
