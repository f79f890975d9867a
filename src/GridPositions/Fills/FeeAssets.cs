namespace GridPositions.Fills;

/// <summary>A fee's asset as the manager books it: its kind, and its upper-case name when it is neither base nor quote.</summary>
internal readonly record struct FeeCharge(FeeAssetKind Kind, string? Asset)
{
    public static readonly FeeCharge Quote = new(FeeAssetKind.Quote, null);

    public override string ToString() => Kind == FeeAssetKind.Other ? Asset! : Kind.ToString().ToLowerInvariant();
}

/// <summary>Tells a fee's asset apart by the manager's <see cref="PositionManagerOptions.BaseAsset"/> and <see cref="PositionManagerOptions.QuoteAsset"/>.</summary>
internal sealed class FeeAssets(string? baseAsset, string? quoteAsset)
{
    /// <summary>Whether fees can be paid in the base asset, which leaves balances off the quantity step (0.01 less 0.00001).</summary>
    public bool PaysInQuantity => baseAsset is not null;

    /// <summary>The longest asset name accepted.</summary>
    public const int MaxNameLength = 32;

    /// <summary>What is wrong with a named fee asset for this manager, or null (no name: the quote asset).</summary>
    public string? Describe(string? asset, string field)
    {
        if (string.IsNullOrWhiteSpace(asset))
        {
            return null;
        }

        if (DescribeName(asset, field) is { } problem)
        {
            return problem;
        }

        return baseAsset is null
            ? $"{field} '{asset}' can only be told apart from the base and quote assets when PositionManagerOptions.BaseAsset and QuoteAsset are set."
            : null;
    }

    /// <summary>
    /// What is wrong with an asset's name itself, or null: 1 to 32 ASCII letters, digits, '.', '-' or '_' (what venues
    /// name assets with), so that upper-casing it is exact and a stored name reads back the same.
    /// </summary>
    public static string? DescribeName(string asset, string field) =>
        asset.Length > MaxNameLength ? $"{field} is {asset.Length} characters long; an asset's name is at most {MaxNameLength}."
        : asset.Length == 0 || !asset.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') ? $"{field} '{asset}' must be ASCII letters, digits, '.', '-' or '_'."
        : null;

    /// <summary>The asset a validated fee is paid in (no name: the quote asset).</summary>
    public FeeCharge Resolve(string? asset) =>
        string.IsNullOrWhiteSpace(asset) || string.Equals(asset, quoteAsset, StringComparison.OrdinalIgnoreCase) ? FeeCharge.Quote
        : string.Equals(asset, baseAsset, StringComparison.OrdinalIgnoreCase) ? new FeeCharge(FeeAssetKind.Base, null)
        : new FeeCharge(FeeAssetKind.Other, asset.ToUpperInvariant());
}
