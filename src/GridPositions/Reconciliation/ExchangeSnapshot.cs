namespace GridPositions;

/// <summary>The exchange's own view, fetched after <see cref="SuperPositionManager.BeginReconciliation"/>.</summary>
/// <param name="TakenAt">When the exchange answered (must not be before the reconciliation began).</param>
/// <param name="OpenOrders">Every open order of the symbol (ours and foreign), with cumulative fills.</param>
/// <param name="RecentlyClosedOrders">Orders that reached a terminal state recently, with their final fills, if the exchange offers them.</param>
/// <param name="Position">The net position of the symbol (long positive, short negative), if known.</param>
public sealed record ExchangeSnapshot(
    DateTimeOffset TakenAt,
    IReadOnlyList<ExchangeOrder> OpenOrders,
    IReadOnlyList<ExchangeOrder>? RecentlyClosedOrders = null,
    decimal? Position = null);
