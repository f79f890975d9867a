namespace GridPositions;

/// <summary>One order as the exchange reports it.</summary>
/// <param name="OrderId">The exchange's id.</param>
/// <param name="ClientOrderId">The client order id, if any.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Price">The limit price.</param>
/// <param name="Quantity">The order quantity.</param>
/// <param name="Status">Its status (open orders: new or partially filled; closed: terminal).</param>
/// <param name="CumulativeFilledQuantity">Filled so far.</param>
/// <param name="CumulativeQuoteQuantity">Filled notional so far; null means at the order's price.</param>
/// <param name="CumulativeFee">Fees so far (not booked with <see cref="PositionManagerOptions.FeesPerTrade"/>, where trades carry the fees).</param>
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
    /// <summary>The asset <see cref="CumulativeFee"/> is paid in; null for the quote asset (see <see cref="OrderUpdate.FeeAsset"/>).</summary>
    public string? FeeAsset { get; init; }

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
        FeeAsset = string.IsNullOrWhiteSpace(FeeAsset) ? null : FeeAsset, // blank is the quote asset
    };
}
