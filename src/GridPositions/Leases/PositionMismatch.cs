namespace GridPositions;

/// <summary>The slot's recorded inventory differed from the exchange's, and was set to the exchange's.</summary>
/// <param name="SlotPrice">The slot.</param>
/// <param name="Recorded">What the slot held.</param>
/// <param name="OnExchange">What the exchange holds, and the slot holds now.</param>
public sealed record PositionMismatch(decimal SlotPrice, decimal Recorded, decimal OnExchange)
{
    /// <summary>Exchange minus recorded.</summary>
    public decimal Difference => OnExchange - Recorded;
}
