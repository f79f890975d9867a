namespace GridPositions;

/// <summary>An amount of one asset.</summary>
/// <param name="Asset">The asset's name, upper case (for example <c>BNB</c>).</param>
/// <param name="Amount">The amount.</param>
public readonly record struct AssetAmount(string Asset, decimal Amount);
