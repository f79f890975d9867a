namespace GridPositions.Fills;

/// <summary>
/// The bound on every price, quantity, notional and fee the manager accepts (<see cref="SuperPositionManager.MaxAmount"/>).
/// Inside it, a slot's amounts keep 12 decimal places exactly (<see cref="PositionBook.ShareScale"/>) and no sum over
/// slots can overflow <see cref="decimal"/>, so no accepted input can make a later read throw.
/// </summary>
internal static class Amounts
{
    /// <summary>10^15: 15 integer digits plus 12 decimal places still fit the 28 significant digits of a decimal.</summary>
    public const decimal Max = 1_000_000_000_000_000m;

    public static bool Fits(decimal value) => decimal.Abs(value) <= Max; // one comparison: Abs only clears the sign bit

    /// <summary>Whether <paramref name="price"/> x <paramref name="quantity"/> (both positive and within the bound) is within it, without overflowing.</summary>
    public static bool ProductFits(decimal price, decimal quantity) => price <= 1m || quantity <= Max / price;

    public static string Describe(string what, decimal value) => $"{what} {value} is beyond the bound of {Max:N0} in magnitude";
}
