namespace GridPositions;

/// <summary>A parked update never found its order and was dropped (its age passed the time to live, or the buffer was full).</summary>
/// <param name="update">The update that expired.</param>
/// <param name="parkedAt">When it was parked.</param>
public sealed class UpdateExpiredEventArgs(OrderUpdate update, DateTimeOffset parkedAt) : PositionEventArgs
{
    /// <summary>The update that expired.</summary>
    public OrderUpdate Update { get; } = update;

    /// <summary>When it was parked.</summary>
    public DateTimeOffset ParkedAt { get; } = parkedAt;
}
