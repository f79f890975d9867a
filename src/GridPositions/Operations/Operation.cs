using GridPositions.Book;
using GridPositions.Events;
using GridPositions.Persistence;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Operations;

/// <summary>
/// One public call's bookkeeping, from its first lock to its return: the parked updates it freed for re-drive, the
/// highest journal sequence it recorded, and the index window it holds open. Every state-changing public call
/// creates one, passes it down by <c>ref</c> to whatever may change a slot, and disposes it with no lock held
/// (in a <c>finally</c>, so a call that throws half way still re-drives, delivers and waits what it did).
/// </summary>
/// <remarks>
/// A <c>ref struct</c> on the caller's stack: it costs no allocation, cannot be shared between threads or calls, and
/// cannot outlive the call, so nothing a call owes (a re-drive, an event delivery, a durability wait) is forgotten
/// or paid by another call.
/// </remarks>
internal ref struct Operation
{
    private readonly SuperPositionManager _manager;
    private readonly SlotBook _book;
    private readonly EventSink _events;
    private readonly Journal? _journal;
    private List<OrderUpdate>? _redrive;
    private ulong _awaitSequence;
    private bool _windowOpen;

    /// <param name="manager">Re-drives and waits for durability when the call ends.</param>
    /// <param name="book">The slot book: its epoch stamps each change, its sequences go into each journal record.</param>
    /// <param name="events">Where the call's events are queued.</param>
    /// <param name="journal">Where the call's changes are recorded, if the manager has a store.</param>
    public Operation(SuperPositionManager manager, SlotBook book, EventSink events, Journal? journal)
    {
        _manager = manager;
        _book = book;
        _events = events;
        _journal = journal;
    }

    // ---- The sinks: under the slot's lock, memory only; persistence and events never call each other --------------

    /// <summary>
    /// Every change to a slot goes through here, under the slot's lock: it stamps the reconciliation epoch, records
    /// the slot's state in the journal (the call then waits for it) and queues SlotChanged.
    /// </summary>
    public void SlotChanged(Slot slot)
    {
        slot.MarkChanged_NeedsLock(_book.Epoch);
        if (_journal is { } journal)
        {
            _awaitSequence = Math.Max(_awaitSequence, journal.RecordSlot(slot.ReadState_NeedsLock(), _book.SequencesNow));
        }

        _events.QueueSlotChanged(slot);
    }

    /// <summary>What one input did to a slot (under its lock): the change, then the fill and round trip it booked.</summary>
    public void Effects(Slot slot, in SlotEffects effects)
    {
        if (effects.Changed)
        {
            SlotChanged(slot);
        }

        _events.QueueFill(slot, effects);
    }

    /// <summary>An input refused as contradicting the state (counted by the caller).</summary>
    public readonly void Rejected(string reason, OrderUpdate? update, OrderActionResult? result) => _events.QueueRejected(reason, update, result);

    public readonly void TargetsChanged(decimal slotPrice, TargetChange change) => _events.QueueTargetsChanged(slotPrice, change);

    public readonly void Expired(List<ParkedEntry> expired) => _events.QueueExpired(expired);

    // ---- Re-drive and the index window -----------------------------------------------------------------------------

    /// <summary>Takes the parked updates that name either id, to re-apply when the call ends; returns how many.</summary>
    public int TakeParked(ParkedUpdates parked, string? clientOrderId, string? orderId)
    {
        int before = _redrive?.Count ?? 0;
        parked.TakeMatching(clientOrderId, orderId, ref _redrive);
        return (_redrive?.Count ?? 0) - before;
    }

    /// <summary>Takes the parked updates <paramref name="routable"/> accepts, to re-apply when the call ends; returns how many.</summary>
    public int TakeParkedWhere(ParkedUpdates parked, Func<OrderUpdate, bool> routable)
    {
        int before = _redrive?.Count ?? 0;
        parked.TakeWhere(routable, ref _redrive);
        return (_redrive?.Count ?? 0) - before;
    }

    /// <summary>
    /// A slot's ids are about to change (call under the slot's lock, before anyone can see the change): until the
    /// index catches up (<see cref="CloseIndexWindow"/>), the index may trail the slot. One window per call.
    /// </summary>
    public void OpenIndexWindow()
    {
        if (!_windowOpen)
        {
            _windowOpen = true;
            _book.OpenIndexWindow();
        }
    }

    /// <summary>The index matches the slots this call changed.</summary>
    public void CloseIndexWindow()
    {
        if (_windowOpen)
        {
            _windowOpen = false;
            _book.CloseIndexWindow();
        }
    }

    /// <summary>
    /// Ends the call, with no lock held: re-applies the parked updates it freed, in arrival order (each may free
    /// more), starts delivery of the events queued, then waits until its journal records are durable.
    /// </summary>
    public void Dispose()
    {
        CloseIndexWindow();
        for (int i = 0; i < (_redrive?.Count ?? 0); i++)
        {
            _manager.Redrive(_redrive![i], ref this);
        }

        _events.Schedule(); // a no-op unless this call (or a racing one) queued events
        _manager.AwaitDurable(_awaitSequence);
    }
}
