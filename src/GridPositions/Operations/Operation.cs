using System.Runtime.CompilerServices;
using GridPositions.Routing;

namespace GridPositions.Operations;

/// <summary>
/// One public call's bookkeeping, from its first lock to its return: the parked updates it freed for re-drive, the
/// highest journal sequence it recorded, and the index window it holds open. Every state-changing public call
/// creates one (<see cref="OperationSinks.Begin()"/>), passes it down by <c>ref</c> to whatever may change a slot, and disposes it with no lock held
/// (in a <c>finally</c>, so a call that throws half way still re-drives, delivers and waits for what it did; a re-drive
/// that throws ends the re-drive, and delivery is still started).
/// </summary>
/// <remarks>
/// A <c>ref struct</c> on the caller's stack: it costs no allocation, cannot be shared between threads or calls, and
/// cannot outlive the call, so nothing a call owes (a re-drive, an event delivery, a durability wait) is forgotten
/// or paid by another call.
/// </remarks>
internal ref struct Operation
{
    private readonly OperationSinks _sinks;
    private readonly ref ulong _handOff; // set for an awaited call: Dispose leaves the journal sequence here instead of waiting
    private List<OrderUpdate>? _redrive;
    private ulong _awaitSequence;
    private bool _windowOpen;

    public Operation(OperationSinks sinks) => _sinks = sinks;

    /// <summary>An operation whose durability the caller awaits: <see cref="Dispose"/> stores the sequence to await in <paramref name="handOff"/>.</summary>
    public Operation(OperationSinks sinks, ref ulong handOff)
    {
        _sinks = sinks;
        _handOff = ref handOff;
    }

    /// <summary>Notes a journal record of this call: the call returns only once it is durable.</summary>
    public void Recorded(ulong sequence) => _awaitSequence = Math.Max(_awaitSequence, sequence);

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
            _sinks.Book.OpenIndexWindow();
        }
    }

    /// <summary>The index matches the slots this call changed.</summary>
    public void CloseIndexWindow()
    {
        if (_windowOpen)
        {
            _windowOpen = false;
            _sinks.Book.CloseIndexWindow();
        }
    }

    /// <summary>
    /// Ends the call, with no lock held: re-applies the parked updates it freed, in arrival order (each may free
    /// more), starts delivery of the events queued, then waits until its journal records are durable (or, for an
    /// awaited call, hands the sequence to await to its caller).
    /// </summary>
    public void Dispose()
    {
        CloseIndexWindow();
        try
        {
            for (int i = 0; i < (_redrive?.Count ?? 0); i++)
            {
                _sinks.Redrive(_redrive![i], ref this);
            }
        }
        finally
        {
            _sinks.ScheduleEvents(); // a no-op unless this call (or a racing one) queued events
        }

        if (Unsafe.IsNullRef(ref _handOff))
        {
            _sinks.AwaitDurable(_awaitSequence);
        }
        else
        {
            _handOff = _awaitSequence;
        }
    }
}
