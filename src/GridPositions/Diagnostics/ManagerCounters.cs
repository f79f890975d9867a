namespace GridPositions;

/// <summary>A point-in-time copy of the manager's counters of inputs and what became of them.</summary>
/// <remarks>
/// Every order update ends in exactly one of applied, duplicate, stale, rejected or expired; an update counted in
/// <see cref="UpdatesParked"/> is waiting and is later counted in <see cref="UpdatesRedriven"/> (and then in its final
/// outcome) or in <see cref="UpdatesExpired"/>. Counters are read one by one, so under concurrent traffic they may be
/// a few operations apart.
/// </remarks>
public readonly record struct ManagerCounters
{
    /// <summary>Claims accepted.</summary>
    public long ClaimsAccepted { get; init; }

    /// <summary>Claims rejected (busy, oversell, invalid...).</summary>
    public long ClaimsRejected { get; init; }

    /// <summary>Action results that changed a slot.</summary>
    public long ResultsApplied { get; init; }

    /// <summary>Action results that repeated what a slot already knew.</summary>
    public long ResultsDuplicate { get; init; }

    /// <summary>Action results for a claim the slot no longer holds.</summary>
    public long ResultsStale { get; init; }

    /// <summary>Action results that contradicted the slot or named an unknown slot.</summary>
    public long ResultsRejected { get; init; }

    /// <summary>Order updates that changed a slot.</summary>
    public long UpdatesApplied { get; init; }

    /// <summary>Order updates that repeated or trailed what a slot already knew.</summary>
    public long UpdatesDuplicate { get; init; }

    /// <summary>Order updates for an order the slot no longer has.</summary>
    public long UpdatesStale { get; init; }

    /// <summary>Order updates rejected (overfill, conflicting ids, fill after a terminal state).</summary>
    public long UpdatesRejected { get; init; }

    /// <summary>Times an update matched no known order and was parked.</summary>
    public long UpdatesParked { get; init; }

    /// <summary>Parked updates re-applied when their order's mapping appeared.</summary>
    public long UpdatesRedriven { get; init; }

    /// <summary>Parked updates that never found their order.</summary>
    public long UpdatesExpired { get; init; }

    /// <summary>Updates rejected because they reported more filled than the order's quantity (also in <see cref="UpdatesRejected"/>).</summary>
    public long Overfills { get; init; }

    /// <summary>Fills booked (each growth of an order's cumulative fill).</summary>
    public long FillsApplied { get; init; }

    /// <summary>Round trips completed.</summary>
    public long RoundTripsCompleted { get; init; }

    /// <summary>Event subscriber calls that threw.</summary>
    public long SubscriberFailures { get; init; }

    /// <summary>
    /// Claims that ended without their result: past <see cref="PositionManagerOptions.PendingClaimTimeout"/>, past the
    /// close lease they were taken under, or at recovery from a store (a place became Unknown, a cancel gave its order back).
    /// </summary>
    public long ClaimsLapsed { get; init; }

    /// <summary>Times recovery from a store cut off a torn last journal record (a crash mid-write); see <see cref="StoreRecovery.TornTail"/>.</summary>
    public long TornTailsCut { get; init; }
}
