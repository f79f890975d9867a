namespace GridPositions;

/// <summary>A position's stop-loss or take-profit changed.</summary>
/// <param name="slotPrice">The slot.</param>
/// <param name="change">The change, with its reason.</param>
public sealed class TargetsChangedEventArgs(decimal slotPrice, TargetChange change) : PositionEventArgs
{
    /// <summary>The slot.</summary>
    public decimal SlotPrice { get; } = slotPrice;

    /// <summary>The change, with its reason.</summary>
    public TargetChange Change { get; } = change;
}
