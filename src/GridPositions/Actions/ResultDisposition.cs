namespace GridPositions;

/// <summary>What the manager did with one input (an action result or an order update).</summary>
public enum InputDisposition
{
    /// <summary>The input changed the slot.</summary>
    Applied = 0,

    /// <summary>The input repeated or trailed what the slot already knew; nothing changed.</summary>
    Duplicate = 1,

    /// <summary>The input is for an order or claim the slot no longer has; nothing changed.</summary>
    Stale = 2,

    /// <summary>The update matched no known order yet; it waits (bounded) for its mapping and is re-applied or expires.</summary>
    Parked = 3,

    /// <summary>The input contradicts the slot (overfill, conflicting ids, unknown slot); nothing changed.</summary>
    Rejected = 4,
}
