namespace GridPositions;

/// <summary>How a close began.</summary>
public enum CloseStatus
{
    /// <summary>The caller holds the close lease: send <see cref="CloseStart.CancelFirst"/> if any, then claim the closing order.</summary>
    Started = 1,

    /// <summary>Nothing to close: the slot is (now) flat with no order in flight. No lease is held.</summary>
    AlreadyFlat = 2,
}
