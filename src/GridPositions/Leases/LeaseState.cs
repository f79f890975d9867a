namespace GridPositions.Leases;

/// <summary>The lease a slot's position is held under (Token 0: none). Guarded by the slot's lock.</summary>
internal struct LeaseState
{
    /// <summary>The fencing token: every lease ever granted by a manager has a larger one than those before it.</summary>
    public long Token;
    public LeaseKind Kind;
    public DateTimeOffset ExpiresAt;

    // A modify lease's proposed targets, committed by CompleteModify.
    public decimal? StopLoss;
    public decimal? TakeProfit;
    public string? Reason;

    /// <summary>Its expiry was reported (LeaseExpired is raised once per lease).</summary>
    public bool ExpiryReported;

    public readonly bool IsHeld(DateTimeOffset? now) => Token != 0 && (now is not { } at || at < ExpiresAt);
}
