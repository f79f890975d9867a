namespace GridPositions;

/// <summary>
/// A close or modify lease expired before its holder finished: noticed when its holder next used it (and was refused)
/// or released it, or when another caller took the position, whichever came first; raised once per lease. (A close
/// lease whose position a late fill flattened ends complete, and is not reported.)
/// </summary>
/// <param name="slotPrice">The slot whose position the lease held.</param>
/// <param name="kind">Close or modify.</param>
/// <param name="fencingToken">The expired lease's fencing token.</param>
/// <param name="expiredAt">When it expired.</param>
public sealed class LeaseExpiredEventArgs(decimal slotPrice, LeaseKind kind, long fencingToken, DateTimeOffset expiredAt) : PositionEventArgs
{
    /// <summary>The slot whose position the lease held.</summary>
    public decimal SlotPrice { get; } = slotPrice;

    /// <summary>Close or modify.</summary>
    public LeaseKind Kind { get; } = kind;

    /// <summary>The expired lease's fencing token.</summary>
    public long FencingToken { get; } = fencingToken;

    /// <summary>When it expired.</summary>
    public DateTimeOffset ExpiredAt { get; } = expiredAt;
}
