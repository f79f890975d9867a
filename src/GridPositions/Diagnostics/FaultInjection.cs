#if FAULT_INJECTION
namespace GridPositions.Diagnostics;

/// <summary>
/// Known concurrency bugs that the Coyote suite must find. Compiled only into tests/GridPositions.FaultInjected (the
/// same sources built with FAULT_INJECTION); the shipped assembly has no trace of them.
/// </summary>
internal enum Fault
{
    None,

    /// <summary>Phase 2 of an update re-indexes while still holding the slot lock (slot lock, then manager lock).</summary>
    LockOrderInversion,

    /// <summary>A place claim checks the slot and writes the claim in separate lock sections.</summary>
    SplitClaimCheck,

    /// <summary>Phase 2 applies a place result without checking that the slot still holds its claim token.</summary>
    NoTokenRevalidation,

    /// <summary>An update that matches no order yet is dropped instead of parked.</summary>
    DropEarlyUpdates,

    /// <summary>A FILLED update books the whole order quantity instead of the growth of the cumulative fill.</summary>
    FillByStatus,

    /// <summary>Event handlers run synchronously under the slot lock instead of after it is released.</summary>
    CallbackUnderLock,

    /// <summary>A close checks that the position is not held and takes the lease in separate lock sections.</summary>
    UnlockedCloseCheck,

    /// <summary>A lease holder's calls are not checked against the slot's current lease (no fencing after expiry).</summary>
    NoFencing,

    /// <summary>Reconciliation acts on slots that changed after it began and on claims whose result has not arrived.</summary>
    ReconcileIgnoresDeferral,

    /// <summary>An update the lock-free lookup missed is parked without routing it again under the slot book's lock.</summary>
    ParkWithoutRecheck,

    /// <summary>A claim taken by a close lease's holder is not bound to the lease, so it outlives the lease (a dead closer's cancel stays pending).</summary>
    LeaseClaimsOutliveLease,

    /// <summary>A claim whose result never comes never lapses: the pending-claim timeout is ignored.</summary>
    NoClaimTimeout,

    /// <summary>The lock-free fast path answers "duplicate" from an unlocked read of the slot's fill, without checking the update's ids.</summary>
    UnlockedDuplicateShortcut,

    /// <summary>The event dispatcher starts a drain even while one is running, so two deliver at once.</summary>
    ConcurrentDrains,

    /// <summary>A call returns before its journal records are on disk (they would be written only by the next checkpoint).</summary>
    AckBeforeFlush,

    /// <summary>A trade is deduplicated by an unlocked read of its order's trade ids before the slot's lock is taken, and not again under it.</summary>
    TradeDedupBeforeLock,
}

/// <summary>The fault the current test injects. Tests that set it run one at a time.</summary>
internal static class FaultInjection
{
    public static Fault Active { get; set; }

    public static bool Is(Fault fault) => Active == fault;

    [ThreadStatic]
    private static bool s_tradeSeenBeforeLock;

    /// <summary>What the unlocked read of <see cref="Fault.TradeDedupBeforeLock"/> saw, for the section that follows on this thread.</summary>
    public static bool TradeSeenBeforeLock
    {
        get => s_tradeSeenBeforeLock;
        set => s_tradeSeenBeforeLock = value;
    }
}
#endif
