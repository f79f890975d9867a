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

/// <summary>One order as the exchange reports it.</summary>
/// <param name="OrderId">The exchange's id.</param>
/// <param name="ClientOrderId">The client order id, if any.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Price">The limit price.</param>
/// <param name="Quantity">The order quantity.</param>
/// <param name="Status">Its status (open orders: new or partially filled; closed: terminal).</param>
/// <param name="CumulativeFilledQuantity">Filled so far.</param>
/// <param name="CumulativeQuoteQuantity">Filled notional so far; null means at the order's price.</param>
/// <param name="CumulativeFee">Fees so far.</param>
public sealed record ExchangeOrder(
    string OrderId,
    string? ClientOrderId,
    OrderSide Side,
    decimal Price,
    decimal Quantity,
    OrderStatus Status,
    decimal CumulativeFilledQuantity,
    decimal? CumulativeQuoteQuantity = null,
    decimal CumulativeFee = 0m)
{
    /// <summary>
    /// The order's state as an update for <see cref="SuperPositionManager.OnOrderUpdate"/>: what to pass for an order the
    /// reconciliation report asks you to query (<see cref="ReconciliationReport.OrdersToQuery"/>).
    /// </summary>
    /// <returns>An update with this order's ids, status and cumulative amounts.</returns>
    public OrderUpdate ToUpdate() => new()
    {
        OrderId = OrderId,
        ClientOrderId = ClientOrderId,
        Status = Status,
        CumulativeFilledQuantity = CumulativeFilledQuantity,
        CumulativeQuoteQuantity = CumulativeQuoteQuantity,
        CumulativeFee = CumulativeFee,
    };
}

/// <summary>
/// Marks the start of a reconciliation: slots that change after it are left alone. Only the manager whose
/// <see cref="SuperPositionManager.BeginReconciliation"/> issued it accepts it.
/// </summary>
public readonly record struct ReconciliationTicket
{
    internal ReconciliationTicket(object issuer, long epoch, DateTimeOffset startedAt)
    {
        Issuer = issuer;
        Epoch = epoch;
        StartedAt = startedAt;
    }

    /// <summary>The manager's reconciliation epoch.</summary>
    public long Epoch { get; }

    /// <summary>When it began.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The reconciler of the manager that issued it (null for a default or hand-made ticket, which no manager accepts).</summary>
    internal object? Issuer { get; }
}
