namespace GridPositions;

/// <summary>A slot went from flat to holding inventory and back to flat.</summary>
public sealed class RoundTripCompletedEventArgs : PositionEventArgs
{
    /// <summary>The slot that held the position.</summary>
    public required decimal SlotPrice { get; init; }

    /// <summary>The slot's round-trip count, this one included.</summary>
    public required long Number { get; init; }

    /// <summary>Quantity opened and closed.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>Total notional of the opening fills.</summary>
    public required decimal EntryNotional { get; init; }

    /// <summary>Total notional of the closing fills.</summary>
    public required decimal ExitNotional { get; init; }

    /// <summary>Opening and closing fees.</summary>
    public required decimal Fees { get; init; }

    /// <summary>Profit of the round trip, net of fees.</summary>
    public required decimal RealizedPnl { get; init; }
}
