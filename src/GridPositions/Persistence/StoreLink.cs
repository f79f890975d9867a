using System.Runtime.CompilerServices;
using Google.Protobuf;
using GridPositions.Book;
using GridPositions.Claims;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;
using GridPositions.Snapshots;
using GridPositions.Wire;

namespace GridPositions.Persistence;

/// <summary>
/// A manager's tie to its store: the journal its slot changes are recorded in, the wait for durability at the end of
/// each call, and checkpoints. Without a store (a manager built with <c>new</c> or <c>Restore</c>) every verb is a no-op.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The checkpoint gate (SemaphoreSlim) never allocates a wait handle; there is nothing to dispose.")]
internal sealed class StoreLink(ManagerContext context, SlotBook book, SnapshotRules snapshots)
{
    /// <summary>Stores owned by a manager in this process (weakly: a store nobody holds any more is forgotten).</summary>
    private static readonly ConditionalWeakTable<IPositionStore, object> s_owners = [];

    /// <summary>Serializes checkpoints. Not a state lock: taken before any manager lock, and held across the checkpoint's I/O.</summary>
    /// <remarks>Never disposed: it never allocates a wait handle (AvailableWaitHandle is not used), so there is nothing to release.</remarks>
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);
    private IPositionStore? _store;
    private int _checkpointing;

    /// <summary>The journal, once opened on a store whose durability is not <see cref="Durability.None"/>.</summary>
    public Journal? Journal { get; private set; }

    /// <summary>Claims <paramref name="store"/> for one manager of this process (<see cref="Release"/> gives it back if opening fails).</summary>
    /// <exception cref="StoreLockedException">Another manager already owns it.</exception>
    public static void Claim(IPositionStore store)
    {
        if (!s_owners.TryAdd(store, new object()))
        {
            throw new StoreLockedException($"This store ({store}) is already owned by a manager in this process; a store has one owner.");
        }
    }

    public static void Release(IPositionStore store) => s_owners.Remove(store);

    /// <summary>
    /// Finishes opening on <paramref name="store"/> once the recovered state is loaded: starts the journal, lapses the
    /// claims the crashed process took (journaled), counts a torn tail, writes the first checkpoint of a new store, and logs what it recovered.
    /// </summary>
    public void Opened(IPositionStore store, StoreRecovery recovered, ClaimRules claims)
    {
        _store = store;
        if (store.Durability != Durability.None)
        {
            Journal = new Journal(store, recovered.NextSequence, context.Log is { } log ? (error, durable) => Telemetry.Log.JournalFailed(log, error, context.Settings.Symbol, durable) : null, context.Time, context.Measurements);
        }

        int lapsed = claims.LapseAtRecovery();
        if (recovered.TornTail is not null)
        {
            context.Counters.Increment(Counter.TornTailsCut);
        }

        if (recovered.Snapshot is null)
        {
            Checkpoint(); // the store now names its grid, and has a snapshot to replay from
        }

        if (context.Log is { } opened)
        {
            Telemetry.ManagerLog.Opened(opened, context.Settings.Symbol, store, book.Count, snapshots.Totals().Inventory, book.ParkedCountWithoutLock, recovered.TornTail, lapsed);
        }
    }

    /// <summary>Writes a snapshot to the store and lets it drop the journal before it.</summary>
    /// <exception cref="InvalidOperationException">The manager was not opened on a store.</exception>
    public void Checkpoint()
    {
        IPositionStore store = _store ?? throw new InvalidOperationException("This manager was not opened on a store (SuperPositionManager.Open).");
        ulong start;
        _checkpointGate.Wait();
        try
        {
            // Everything recorded before 'start' is on disk and reflected in the snapshot taken after it; records from
            // 'start' on are in the new segment and replay over the snapshot only where they are newer.
            start = Journal?.Rotate() ?? 1;
            PositionManagerSnapshot snapshot = snapshots.Create();
            snapshot.JournalStartSequence = start;
            store.Checkpoint(new StoreSnapshot(start, snapshot.ToByteArray()));
        }
        finally
        {
            _checkpointGate.Release();
        }

        if (context.Log is { } log)
        {
            Telemetry.Log.CheckpointWritten(log, context.Settings.Symbol, start);
        }
    }

    /// <summary>
    /// At disposal, with no call in flight: writes every pending record and a last checkpoint (so the next open replays
    /// no journal), then gives the store back so it can be opened again. Without a store, nothing to do.
    /// </summary>
    public void Close()
    {
        if (_store is not { } store)
        {
            return;
        }

        try
        {
            Checkpoint();
        }
        finally
        {
            Release(store); // even after a failed write: the store can be reopened (and its journal replayed)
        }
    }

    /// <summary>Records a slot's change in the journal (memory only; under the slot's lock, so per-slot order is kept); returns its sequence.</summary>
    public ulong Record_NeedsSlotLock(Journal journal, Slot slot)
    {
        slot.AssertLocked();
        (long nextClaimToken, long nextClientSequence) = book.SequencesNow;
        return journal.Record(new JournalRecord
        {
            Slot = SlotWire.ToWire(slot.ReadState_NeedsLock()),
            NextClaimToken = nextClaimToken,
            NextClientOrderSequence = nextClientSequence,
        });
    }

    /// <summary>With no lock held: waits until the journal is durable up to <paramref name="sequence"/> (0: nothing to wait for), then checkpoints if due.</summary>
    public void AwaitDurable(ulong sequence)
    {
        if (Journal is not { } journal || sequence == 0)
        {
            return;
        }

        journal.WaitDurable(sequence);
        CheckpointIfDue(journal);
    }

    /// <summary>
    /// As <see cref="AwaitDurable"/>, without blocking the caller (the flush runs on a pool thread). Cancellation ends
    /// the wait only: what the call changed is already in memory and still reaches the disk.
    /// </summary>
    public ValueTask AwaitDurableAsync(ulong sequence, CancellationToken cancellationToken)
    {
        if (Journal is not { } journal || sequence == 0)
        {
            return default;
        }

        ValueTask durable = journal.WaitDurableAsync(sequence);
        if (durable.IsCompletedSuccessfully)
        {
            CheckpointIfDue(journal);
            return default;
        }

        return Awaited(durable, journal, cancellationToken);
    }

    private async ValueTask Awaited(ValueTask durable, Journal journal, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            await durable.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await durable.ConfigureAwait(false);
        }

        CheckpointIfDue(journal); // on the pool thread that completed the wait, not the caller's
    }

    private void CheckpointIfDue(Journal journal)
    {
        long every = context.Settings.CheckpointEveryRecords;
        if (every > 0 && journal.RecordsSinceCheckpoint >= every && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
        {
            try
            {
                Checkpoint();
            }
            finally
            {
                Volatile.Write(ref _checkpointing, 0);
            }
        }
    }
}
