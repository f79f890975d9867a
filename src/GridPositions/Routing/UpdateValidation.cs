namespace GridPositions.Routing;

/// <summary>What an order update must be before any lock is taken (shared with snapshot validation, which names the field itself).</summary>
internal static class UpdateValidation
{
    /// <summary>Exchanges often send "" for a missing id: it is no id, never an id that could match another order's "".</summary>
    public static bool HasBlankId(in OrderUpdate update) => IsBlank(update.OrderId) || IsBlank(update.ClientOrderId) || IsBlank(update.FeeAsset);

    /// <remarks>A blank fee asset is the quote asset, stored as none (a parked update is written as it is kept).</remarks>
    public static OrderUpdate WithoutBlankIds(in OrderUpdate update) => update with
    {
        OrderId = IsBlank(update.OrderId) ? null : update.OrderId,
        ClientOrderId = IsBlank(update.ClientOrderId) ? null : update.ClientOrderId,
        FeeAsset = IsBlank(update.FeeAsset) ? null : update.FeeAsset,
    };

    /// <exception cref="ArgumentException">The update is malformed; the message says how.</exception>
    public static void Validate(in OrderUpdate update)
    {
        if (Describe(update) is { } problem)
        {
            throw new ArgumentException(problem, nameof(update));
        }
    }

    /// <summary>What is wrong with an update, or null.</summary>
    public static string? Describe(in OrderUpdate update)
    {
        if (update.OrderId is null && update.ClientOrderId is null)
        {
            return "An order update needs an OrderId or a ClientOrderId.";
        }

        if (update.Status is < OrderStatus.Unspecified or > OrderStatus.Expired || (update.Status == OrderStatus.Unspecified && update.Trade is null))
        {
            return $"Status must be a known order status; got {update.Status}{(update.Status == OrderStatus.Unspecified ? " (only an update that carries a Trade may leave it out)" : "")}.";
        }

        if (update.Trade is { } trade && DescribeTrade(trade, "Trade.") is { } badTrade)
        {
            return badTrade;
        }

        // No status: a trade alone, which says nothing about the order's totals (zero would read as "nothing filled").
        if (update.Status == OrderStatus.Unspecified && (update.CumulativeFilledQuantity != 0 || update.CumulativeQuoteQuantity is not null || update.CumulativeFee != 0))
        {
            return "An update without a Status carries only its Trade: CumulativeFilledQuantity, CumulativeQuoteQuantity and CumulativeFee must be left out. Give the Status with cumulative totals.";
        }

        if (IsBelowZero(update.CumulativeFilledQuantity))
        {
            return $"CumulativeFilledQuantity must not be negative; got {update.CumulativeFilledQuantity}.";
        }

        if (update.CumulativeQuoteQuantity is { } quote && IsBelowZero(quote))
        {
            return $"CumulativeQuoteQuantity must not be negative; got {update.CumulativeQuoteQuantity}.";
        }

        // The bound (MaxAmount): three comparisons, before any lock; the implied price only for sub-unit fills.
        if (update.CumulativeFilledQuantity > Fills.Amounts.Max || update.CumulativeQuoteQuantity > Fills.Amounts.Max || !Fills.Amounts.Fits(update.CumulativeFee))
        {
            return BeyondBound(update);
        }

        // Notional over quantity must be a price within the bound too; below one unit, Max x quantity cannot overflow.
        if (update.CumulativeQuoteQuantity is { } notional && update.CumulativeFilledQuantity is > 0m and < 1m && notional > Fills.Amounts.Max * update.CumulativeFilledQuantity)
        {
            return $"CumulativeQuoteQuantity {notional} for {update.CumulativeFilledQuantity} filled is a price beyond the bound of {Fills.Amounts.Max:N0}.";
        }

        return update.FeeAsset is { Length: > 0 } asset && !string.IsNullOrWhiteSpace(asset) ? Fills.FeeAssets.DescribeName(asset, "FeeAsset") : null;
    }

    /// <summary>What is wrong with a trade, or null; fields are named after <paramref name="prefix"/> (<c>Trade.</c> in an update).</summary>
    public static string? DescribeTrade(TradeFill trade, string prefix)
    {
        if (string.IsNullOrWhiteSpace(trade.TradeId))
        {
            return $"{prefix}TradeId is missing or blank; a trade is deduplicated by its id.";
        }

        if (trade.Quantity <= 0 || trade.Quantity > Fills.Amounts.Max)
        {
            return trade.Quantity <= 0 ? $"{prefix}Quantity must be positive; got {trade.Quantity}." : Fills.Amounts.Describe(prefix + "Quantity", trade.Quantity);
        }

        if (trade.Price <= 0 || trade.Price > Fills.Amounts.Max)
        {
            return trade.Price <= 0 ? $"{prefix}Price must be positive; got {trade.Price}." : Fills.Amounts.Describe(prefix + "Price", trade.Price);
        }

        if (!Fills.Amounts.ProductFits(trade.Price, trade.Quantity))
        {
            return $"{prefix}Price x {prefix}Quantity ({trade.Price} x {trade.Quantity}) is beyond the bound of {Fills.Amounts.Max:N0}.";
        }

        return Fills.Amounts.Fits(trade.Fee) ? null : Fills.Amounts.Describe(prefix + "Fee", trade.Fee);
    }

    /// <summary>
    /// What is wrong with where an update's fees come from, or null: one source per manager, so a fee from the other one
    /// is refused rather than silently dropped or counted twice.
    /// </summary>
    public static string? DescribeFeeSource(in OrderUpdate update, bool feesPerTrade, string tradePrefix) =>
        feesPerTrade && update.CumulativeFee != 0 ? $"CumulativeFee is {update.CumulativeFee}, but PositionManagerOptions.FeesPerTrade is set: fees come from trades ({tradePrefix}Fee), so a cumulative fee must be zero."
        : !feesPerTrade && update.Trade is { Fee: not 0m } trade ? $"{tradePrefix}Fee is {trade.Fee}, but PositionManagerOptions.FeesPerTrade is not set: fees come from cumulative reports (CumulativeFee), so a trade's fee must be zero."
        : null;

    private static bool IsBlank(string? id) => id is not null && string.IsNullOrWhiteSpace(id);

    /// <summary>The sign bit first, so the usual non-negative amount costs no decimal comparison (-0 is not below zero).</summary>
    private static bool IsBelowZero(decimal value) => decimal.IsNegative(value) && value != 0m;

    private static string BeyondBound(in OrderUpdate update) =>
        update.CumulativeFilledQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeFilledQuantity", update.CumulativeFilledQuantity)
        : update.CumulativeQuoteQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeQuoteQuantity", update.CumulativeQuoteQuantity!.Value)
        : Fills.Amounts.Describe("CumulativeFee", update.CumulativeFee);
}
