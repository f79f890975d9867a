namespace GridPositions;

/// <summary>Base of every event the manager publishes.</summary>
/// <remarks>
/// Events are published after the manager's locks are released, on a background task, one at a time, in the order
/// they happened per slot. <see cref="Sequence"/> numbers them in publication order.
/// </remarks>
public abstract class PositionEventArgs : EventArgs
{
    /// <summary>Publication order, starting at 1.</summary>
    public long Sequence { get; internal set; }
}
