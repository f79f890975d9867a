using GridPositions.Leases;

namespace GridPositions;

/// <summary>
/// Exclusive hold on one slot's position, for a close or a modify. It ends when the work completes, when it is
/// disposed (or released), or by itself when <see cref="ExpiresAt"/> passes; after that every call made with it is
/// refused with <see cref="LeaseLostException"/> (its <see cref="FencingToken"/> is no longer the slot's).
/// </summary>
/// <remarks>Disposing is always safe: twice, after expiry, after the work completed, or from a <c>finally</c>.</remarks>
public sealed class PositionLease : IDisposable
{
    private readonly LeaseRules _owner;
    private long _expiresAtUtcTicks;

    internal PositionLease(LeaseRules owner, decimal slotPrice, LeaseKind kind, long fencingToken, DateTimeOffset expiresAt)
    {
        _owner = owner;
        SlotPrice = slotPrice;
        Kind = kind;
        FencingToken = fencingToken;
        ExpiresAt = expiresAt;
    }

    /// <summary>The slot whose position is held.</summary>
    public decimal SlotPrice { get; }

    /// <summary>The rules of the manager that granted it.</summary>
    internal LeaseRules Owner => _owner;

    /// <summary>Close or modify.</summary>
    public LeaseKind Kind { get; }

    /// <summary>Larger than every token granted before it by the same manager.</summary>
    public long FencingToken { get; }

    /// <summary>When the lease ends by itself if its holder has not finished (later after each <see cref="Renew"/>).</summary>
    public DateTimeOffset ExpiresAt
    {
        get => new(Volatile.Read(ref _expiresAtUtcTicks), TimeSpan.Zero);
        internal set => Volatile.Write(ref _expiresAtUtcTicks, value.UtcTicks);
    }

    /// <summary>Whether the lease still holds the slot (not released, not completed, not expired).</summary>
    public bool IsHeld => _owner.IsHeld(this);

    /// <summary>
    /// Extends the lease to <see cref="PositionManagerOptions.LeaseTimeout"/> from now, for a close that chases a resting
    /// order longer than one timeout. Call it before the lease expires.
    /// </summary>
    /// <returns>The new <see cref="ExpiresAt"/>.</returns>
    /// <exception cref="LeaseLostException">The lease already expired, was released or completed: it cannot be revived.</exception>
    public DateTimeOffset Renew() => _owner.Renew(this);

    /// <summary>Releases the lease if it still holds the slot; otherwise does nothing. Claims taken under it that have no result yet lapse.</summary>
    public void Dispose() => _owner.Release(this);

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} lease {FencingToken} on slot {SlotPrice} until {ExpiresAt:O}";
}
