namespace GridPositions;

/// <summary>A slot's status, order or position changed.</summary>
/// <param name="slot">The slot as it was right after the change.</param>
public sealed class SlotChangedEventArgs(SlotView slot) : PositionEventArgs
{
    /// <summary>The slot as it was right after the change.</summary>
    public SlotView Slot { get; } = slot;
}
