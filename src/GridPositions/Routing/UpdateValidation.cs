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

        if (update.Status is < OrderStatus.New or > OrderStatus.Expired)
        {
            return $"Status must be a known order status; got {update.Status}.";
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

    private static bool IsBlank(string? id) => id is not null && string.IsNullOrWhiteSpace(id);

    /// <summary>The sign bit first, so the usual non-negative amount costs no decimal comparison (-0 is not below zero).</summary>
    private static bool IsBelowZero(decimal value) => decimal.IsNegative(value) && value != 0m;

    private static string BeyondBound(in OrderUpdate update) =>
        update.CumulativeFilledQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeFilledQuantity", update.CumulativeFilledQuantity)
        : update.CumulativeQuoteQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeQuoteQuantity", update.CumulativeQuoteQuantity!.Value)
        : Fills.Amounts.Describe("CumulativeFee", update.CumulativeFee);
}
