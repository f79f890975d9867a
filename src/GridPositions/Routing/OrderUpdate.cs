namespace GridPositions;

/// <summary>
/// An order update from the exchange's stream. Quantities, notional and fees are cumulative over the order's life; an
/// update may also carry one of the order's trades (<see cref="Trade"/>), or only that.
/// </summary>
/// <remarks>
/// At least one of <see cref="OrderId"/> and <see cref="ClientOrderId"/> is required. Updates may arrive before the
/// place result, more than once, and out of order: the manager applies only the growth of the cumulative quantity,
/// and each trade once.
/// </remarks>
public readonly record struct OrderUpdate
{
    /// <summary>The exchange's order id, when the update carries it.</summary>
    public string? OrderId { get; init; }

    /// <summary>The client order id, when the update carries it.</summary>
    public string? ClientOrderId { get; init; }

    /// <summary>
    /// The order's status at the time of the update. <see cref="OrderStatus.Unspecified"/> only for an update that carries
    /// a <see cref="Trade"/> and no cumulative totals (what <see cref="TradeReport.ToUpdate"/> makes).
    /// </summary>
    public OrderStatus Status { get; init; }

    /// <summary>Total quantity filled so far.</summary>
    public decimal CumulativeFilledQuantity { get; init; }

    /// <summary>Total filled notional (price times quantity) so far; null means "filled at the order's price".</summary>
    public decimal? CumulativeQuoteQuantity { get; init; }

    /// <summary>
    /// Total fee charged so far, in <see cref="FeeAsset"/> (negative for a rebate in the quote asset). Zero with
    /// <see cref="PositionManagerOptions.FeesPerTrade"/>, where fees come from trades.
    /// </summary>
    public decimal CumulativeFee { get; init; }

    /// <summary>
    /// The asset the fee is paid in as the exchange names it (<c>BTC</c>, <c>USDT</c>, <c>BNB</c>); null or blank for the
    /// quote asset. Naming one needs <see cref="PositionManagerOptions.BaseAsset"/> and <see cref="PositionManagerOptions.QuoteAsset"/>.
    /// A base-asset fee is paid in quantity (<see cref="FeeAssetKind.Base"/>); another asset's is kept per asset.
    /// Cumulative fees are in one asset per order: an update that restates them in another is rejected. With
    /// <see cref="PositionManagerOptions.FeesPerTrade"/>, each trade's fee is booked in its own asset.
    /// </summary>
    public string? FeeAsset { get; init; }

    /// <summary>
    /// One trade of the order, when the stream reports it (Binance's <c>t</c>/<c>l</c>/<c>L</c>/<c>n</c> beside
    /// <c>z</c>/<c>Z</c>); null otherwise. Deduplicated by its id; its fee is in <see cref="FeeAsset"/>.
    /// </summary>
    public TradeFill? Trade { get; init; }
}
