using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Events;
using GridPositions.Persistence;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Operations;

/// <summary>
/// Where one manager's calls record what they did, and what their <see cref="Operation"/> settles when it ends: every
/// slot change is stamped, journaled (memory only) and queued as an event here, under the slot's lock; at the end of
/// the call the parked updates it freed are re-driven, the events delivered and the journal awaited. The journal and
/// the events never call each other: both are fed from here.
/// </summary>
internal sealed class OperationSinks(SlotBook book, EventSink events, StoreLink store)
{
    private UpdateRouter? _router;
    private bool _closed;

    public SlotBook Book => book;

    public EventSink Events => events;

    public StoreLink Store => store;

    /// <summary>Set once by the manager's constructor: the router re-applies parked updates (it begins operations too, so it cannot be a constructor argument).</summary>
    public void Attach(UpdateRouter router) => _router = router;

    /// <summary>Starts one public call's bookkeeping; dispose it in a <c>finally</c> with no lock held.</summary>
    /// <exception cref="ObjectDisposedException">The manager is disposed: every call that changes state begins here, so none does.</exception>
    public Operation Begin()
    {
        ThrowIfClosed();
        return new(this);
    }

    /// <summary>Starts an awaited call's bookkeeping: its Dispose leaves the journal sequence to await in <paramref name="handOff"/>.</summary>
    /// <exception cref="ObjectDisposedException">The manager is disposed.</exception>
    public Operation Begin(ref ulong handOff)
    {
        ThrowIfClosed();
        return new(this, ref handOff);
    }

    /// <summary>From now on no call may change state (the manager is being disposed).</summary>
    public void Close() => Volatile.Write(ref _closed, true);

    public bool IsClosed => Volatile.Read(ref _closed);

    public void ThrowIfClosed() => ObjectDisposedException.ThrowIf(IsClosed, typeof(SuperPositionManager));

    /// <summary>
    /// Every change to a slot goes through here: it stamps the reconciliation epoch, records the slot in the journal
    /// (memory only) and queues SlotChanged. Under the slot's lock, so per-slot order is kept.
    /// </summary>
    public void SlotChanged_NeedsSlotLock(Slot slot, ref Operation op)
    {
        slot.AssertLocked();
        slot.MarkChanged_NeedsLock(book.Epoch);
        if (store.Journal is { } journal)
        {
            op.Recorded(store.Record_NeedsSlotLock(journal, slot));
        }

        events.QueueSlotChanged(slot);
    }

    /// <summary>Queues the events one input caused on a slot (and records the change, if it changed).</summary>
    public void Effects_NeedsSlotLock(Slot slot, in SlotEffects effects, ref Operation op)
    {
        slot.AssertLocked();
        if (effects.Changed)
        {
            SlotChanged_NeedsSlotLock(slot, ref op);
        }

        events.QueueFill(slot, effects);
    }

    /// <summary>Queues InputRejected (if anyone listens).</summary>
    public void Rejected(string reason, OrderUpdate? update, OrderActionResult? result) => events.QueueRejected(reason, update, result);

    public void TargetsChanged_NeedsSlotLock(Slot slot, TargetChange change)
    {
        slot.AssertLocked();
        events.QueueTargetsChanged(slot.Price, change);
    }

    /// <summary>Counts expired parked updates and queues their events (under the book's lock, which handed them out).</summary>
    public void Expired_NeedsBookLock(List<ParkedEntry>? expired, CounterSet counters)
    {
        book.AssertLocked();
        if (expired is null)
        {
            return;
        }

        counters.Add(Counter.UpdatesExpired, expired.Count);
        events.QueueExpired(expired);
    }

    // ---- What an Operation's Dispose calls, with no lock held ------------------------------------------------------

    public void Redrive(in OrderUpdate update, ref Operation op) => _router!.Apply(update, ref op);

    public void ScheduleEvents() => events.Schedule();

    public void AwaitDurable(ulong sequence) => store.AwaitDurable(sequence);

    /// <summary>Makes <paramref name="op"/> end only once everything recorded so far is durable (an answer that repeats an earlier call's, whose record may still be in flight).</summary>
    public void AwaitRecordedSoFar(ref Operation op)
    {
        if (store.Journal is { } journal)
        {
            op.Recorded(journal.LastSequence);
        }
    }

    /// <summary>An awaited call's end: <paramref name="value"/>, once the journal is durable up to <paramref name="durableAt"/>, without blocking the caller.</summary>
    public ValueTask<T> WhenDurable<T>(T value, ulong durableAt, CancellationToken cancellationToken)
    {
        ValueTask durable = store.AwaitDurableAsync(durableAt, cancellationToken);
        return durable.IsCompletedSuccessfully ? new ValueTask<T>(value) : Awaited(durable, value);

        static async ValueTask<T> Awaited(ValueTask durable, T value)
        {
            await durable.ConfigureAwait(false);
            return value;
        }
    }
}
