using GridPositions.Diagnostics;

namespace GridPositions.Slots;

/// <summary>
/// What became of the order updates one slot applied, counted under the slot's lock with plain writes: the hot path
/// pays no interlocked operation for its counters, and the manager's counters add every slot's tally to their own.
/// </summary>
/// <remarks>
/// Written only under the owning slot's lock and read without it: each write and read is a single
/// <see cref="Volatile"/> access of a long (atomic on every platform), so a reader sees a value some write left.
/// </remarks>
internal struct UpdateTally
{
    private long _applied;
    private long _duplicate;
    private long _stale;
    private long _rejected;
    private long _overfills;
    private long _fills;
    private long _roundTrips;

    /// <summary>Whether <paramref name="counter"/> is counted here (the rest live only in the manager's <see cref="CounterSet"/>).</summary>
    public static bool Covers(Counter counter) => counter is Counter.UpdatesApplied or Counter.UpdatesDuplicate or Counter.UpdatesStale
        or Counter.UpdatesRejected or Counter.Overfills or Counter.FillsApplied or Counter.RoundTripsCompleted;

    /// <summary>Counts one applied update's outcome and what it booked (under the slot's lock).</summary>
    public void Count(InputDisposition disposition, in SlotEffects effects)
    {
        switch (disposition)
        {
            case InputDisposition.Applied:
                Bump(ref _applied);
                break;
            case InputDisposition.Duplicate:
                Bump(ref _duplicate);
                break;
            case InputDisposition.Stale:
                Bump(ref _stale);
                break;
            default:
                Bump(ref _rejected);
                break;
        }

        if (effects.Overfill)
        {
            Bump(ref _overfills);
        }

        if (effects.HasFill && effects.FillQuantity != 0)
        {
            Bump(ref _fills); // a fee booked alone, after its fill, is no fill
        }

        if (effects.CompletedTrip is not null)
        {
            Bump(ref _roundTrips);
        }
    }

    /// <summary>The count of <paramref name="counter"/> (0 for one not <see cref="Covers">covered</see>), without the lock.</summary>
    public readonly long Read(Counter counter) => counter switch
    {
        Counter.UpdatesApplied => Volatile.Read(in _applied),
        Counter.UpdatesDuplicate => Volatile.Read(in _duplicate),
        Counter.UpdatesStale => Volatile.Read(in _stale),
        Counter.UpdatesRejected => Volatile.Read(in _rejected),
        Counter.Overfills => Volatile.Read(in _overfills),
        Counter.FillsApplied => Volatile.Read(in _fills),
        Counter.RoundTripsCompleted => Volatile.Read(in _roundTrips),
        _ => 0,
    };

    // One writer at a time (the slot's lock), so read-then-write loses nothing; the volatile write keeps it untorn.
    private static void Bump(ref long count) => Volatile.Write(ref count, count + 1);
}
