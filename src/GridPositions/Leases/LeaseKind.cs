namespace GridPositions;

/// <summary>What a <see cref="PositionLease"/> holds a slot's position for.</summary>
public enum LeaseKind
{
    /// <summary>No lease.</summary>
    None = 0,

    /// <summary>Closing the position: the only caller that may claim the slot's closing order until it ends.</summary>
    Close = 1,

    /// <summary>Modifying the position's stop-loss and take-profit.</summary>
    Modify = 2,
}
