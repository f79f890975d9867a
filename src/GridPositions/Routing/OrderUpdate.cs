namespace GridPositions;

/// <summary>An order update from the exchange's stream. Quantities, notional and fees are cumulative over the order's life.</summary>
/// <remarks>
/// At least one of <see cref="OrderId"/> and <see cref="ClientOrderId"/> is required. Updates may arrive before the
/// place result, more than once, and out of order: the manager applies only the growth of the cumulative quantity.
/// </remarks>
public readonly record struct OrderUpdate
{
    /// <summary>The exchange's order id, when the update carries it.</summary>
    public string? OrderId { get; init; }

    /// <summary>The client order id, when the update carries it.</summary>
    public string? ClientOrderId { get; init; }

    /// <summary>The order's status at the time of the update.</summary>
    public OrderStatus Status { get; init; }

    /// <summary>Total quantity filled so far.</summary>
    public decimal CumulativeFilledQuantity { get; init; }

    /// <summary>Total filled notional (price times quantity) so far; null means "filled at the order's price".</summary>
    public decimal? CumulativeQuoteQuantity { get; init; }

    /// <summary>Total fee charged so far, in <see cref="FeeAsset"/> (negative for a rebate in the quote asset).</summary>
    public decimal CumulativeFee { get; init; }

    /// <summary>
    /// The asset the fee is paid in as the exchange names it (<c>BTC</c>, <c>USDT</c>, <c>BNB</c>); null or blank for the
    /// quote asset. Naming one needs <see cref="PositionManagerOptions.BaseAsset"/> and <see cref="PositionManagerOptions.QuoteAsset"/>.
    /// A base-asset fee is paid in quantity (<see cref="FeeAssetKind.Base"/>); another asset's is kept per asset.
    /// One order's fees are in one asset: an update that grows the fill with its fees in another is rejected.
    /// </summary>
    public string? FeeAsset { get; init; }
}
