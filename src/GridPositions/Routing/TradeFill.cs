namespace GridPositions;

/// <summary>
/// One trade (execution) of an order, as a per-trade stream reports it: Bybit's <c>execution</c> topic, OKX's
/// <c>fillSz</c>, Binance's <c>t</c>/<c>l</c>/<c>L</c>/<c>n</c>. Its fee is in the update's <see cref="OrderUpdate.FeeAsset"/>.
/// </summary>
/// <remarks>
/// Trades are deduplicated by <see cref="TradeId"/> per order. An order's quantity and notional are booked from
/// whichever is ahead, its cumulative reports or the sum of its trades, so either stream, or both in any order of
/// arrival, book the same totals. Its fees come from one source: the trades with
/// <see cref="PositionManagerOptions.FeesPerTrade"/>, otherwise the cumulative reports.
/// </remarks>
/// <param name="TradeId">The exchange's trade id: unique per order, not blank.</param>
/// <param name="Quantity">What this trade filled; positive.</param>
/// <param name="Price">Its price; positive.</param>
/// <param name="Fee">Its fee (negative for a rebate); zero unless <see cref="PositionManagerOptions.FeesPerTrade"/> is set.</param>
public sealed record TradeFill(string TradeId, decimal Quantity, decimal Price, decimal Fee = 0m);

/// <summary>A trade report for <see cref="SuperPositionManager.OnTrade"/>: one trade of an order, named by at least one of its ids.</summary>
public readonly record struct TradeReport
{
    /// <summary>The exchange's order id, when the report carries it.</summary>
    public string? OrderId { get; init; }

    /// <summary>The client order id, when the report carries it.</summary>
    public string? ClientOrderId { get; init; }

    /// <summary>The exchange's trade id: unique per order, not blank.</summary>
    public string TradeId { get; init; }

    /// <summary>What the trade filled; positive.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Its price; positive.</summary>
    public decimal Price { get; init; }

    /// <summary>Its fee, in <see cref="FeeAsset"/> (see <see cref="TradeFill.Fee"/>).</summary>
    public decimal Fee { get; init; }

    /// <summary>The asset <see cref="Fee"/> is paid in; null or blank for the quote asset (see <see cref="OrderUpdate.FeeAsset"/>).</summary>
    public string? FeeAsset { get; init; }

    /// <summary>The report as an update that carries only a trade (<see cref="OrderStatus.Unspecified"/>: no status news).</summary>
    /// <returns>An update with this report's ids, fee asset and trade.</returns>
    public OrderUpdate ToUpdate() => new()
    {
        OrderId = OrderId,
        ClientOrderId = ClientOrderId,
        Status = OrderStatus.Unspecified,
        FeeAsset = FeeAsset,
        Trade = new TradeFill(TradeId, Quantity, Price, Fee),
    };
}
