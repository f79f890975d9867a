using System.Diagnostics.Metrics;
using GridPositions.Operations;
using GridPositions.Persistence;
using GridPositions.Slots;
using GridPositions.Wire;
using Microsoft.Extensions.Logging;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>Stores owned by a manager in this process (weakly: a store nobody holds any more is forgotten).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPositionStore, object> s_storeOwners = [];

    private IPositionStore? _store;
    private Journal? _journal;
    private int _checkpointing;

    /// <summary>Serializes checkpoints. Not a state lock: taken before any manager lock, and held across the checkpoint's I/O.</summary>
    /// <remarks>Never disposed: it never allocates a wait handle (AvailableWaitHandle is not used), so there is nothing to release.</remarks>
    private readonly SemaphoreSlim _checkpointGate = new(1, 1);

    /// <summary>
    /// Opens a manager on a store: recovers the latest snapshot plus the journal after it (restored and checked like
    /// <see cref="Restore"/>), then records every later change there.
    /// </summary>
    /// <remarks>
    /// <para>When a call's effect is durable, with <see cref="Durability.GroupCommit"/> or <see cref="Durability.EveryRecord"/>:
    /// when the call returns. That covers every call that changes a slot: <see cref="ClaimSlots"/> (so a claim is on
    /// disk before its order may be sent), <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/>, <see cref="OnOrderUpdate"/>, the close and
    /// modify calls, and <see cref="Reconcile"/>. With <see cref="Durability.None"/> nothing is durable until
    /// <see cref="Checkpoint"/> returns.</para>
    /// <para>Not journaled: leases (a restarted process holds none), parked updates and counters (restored from the
    /// latest checkpoint), and ids of orders finished since it other than each slot's last.</para>
    /// </remarks>
    /// <param name="store">Where the manager's state is kept; <see cref="FilePositionStore"/> is the embedded one.</param>
    /// <param name="options">The grid; it must match the recovered state's symbol and direction.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs; no logging if null.</param>
    /// <param name="meterFactory">Creates the manager's meter; no metrics if null.</param>
    /// <para>After recovery no claim can still be answered by the process that took it: a place with no result is
    /// <see cref="SlotStatus.Unknown"/> from the start (reconciliation adopts it by client order id if the exchange has
    /// it, or frees the slot after the grace period), and a cancel with no result gives its order back as
    /// <see cref="SlotStatus.Live"/>. A torn last record that recovery cut off is reported in <see cref="ManagerCounters.TornTailsCut"/> and the log.</para>
    /// <exception cref="StoreCorruptedException">The store is damaged other than by a torn last record.</exception>
    /// <exception cref="StoreLockedException">Another manager already owns <paramref name="store"/>: a store has one owner.</exception>
    /// <exception cref="ArgumentException">The recovered state does not fit <paramref name="options"/> or breaks an invariant.</exception>
    public static SuperPositionManager Open(IPositionStore store, PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!s_storeOwners.TryAdd(store, new object()))
        {
            throw new StoreLockedException($"This store ({store}) is already owned by a manager in this process; a store has one owner.");
        }

        try
        {
            StoreRecovery recovered = store.Recover();
            SuperPositionManager manager = recovered.Snapshot is { } snapshot
                ? RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory, meterFactory)
                : new SuperPositionManager(options, timeProvider, loggerFactory, meterFactory, clientIdPrefix: null);
            manager._store = store;
            if (store.Durability != Durability.None)
            {
                manager._journal = new Journal(store, recovered.NextSequence);
            }

            int lapsed = manager.LapseClaimsAtRecovery();
            if (recovered.TornTail is not null)
            {
                manager._counters.Increment(Diagnostics.Counter.TornTailsCut);
            }

            if (recovered.Snapshot is null)
            {
                manager.Checkpoint(); // the store now names its grid, and has a snapshot to replay from
            }

            manager.RegisterMetrics();
            if (manager._log is not null)
            {
                PositionTotals totals = manager.GetTotals();
                Telemetry.Log.Opened(manager._log, manager.Settings.Symbol, store.Durability, manager._book.Count, totals.Inventory, manager.ParkedUpdateCount);
                if (recovered.TornTail is { } torn)
                {
                    Telemetry.Log.TornTailCut(manager._log, manager.Settings.Symbol, torn.File, torn.Offset, torn.BytesCut);
                }

                if (lapsed > 0)
                {
                    Telemetry.Log.ClaimsLapsedAtRecovery(manager._log, manager.Settings.Symbol, lapsed);
                }
            }

            return manager;
        }
        catch
        {
            s_storeOwners.Remove(store); // nothing owns it: the caller may fix what was wrong and open it again
            throw;
        }
    }

    /// <summary>Lapses every claim the crashed process took (see <see cref="Slots.Slot.LapseClaimsAtRecovery_NeedsLock"/>), journaled; returns how many.</summary>
    internal int LapseClaimsAtRecovery()
    {
        DateTimeOffset now = _time.GetUtcNow();
        int lapsed = 0;
        var op = new Operation(this);
        try
        {
            using (_book.Enter())
            {
                // Stryker disable once Linq : the order only arranges the lapses' journal records; each slot's own record order is kept either way
                foreach (Slot slot in _book.Slots.OrderBy(s => s.Key))
                {
                    using (slot.Enter())
                    {
                        if (slot.LapseClaimsAtRecovery_NeedsLock(now))
                        {
                            lapsed++;
                            SlotChanged_NeedsSlotLock(slot, ref op);
                        }
                    }
                }
            }

            _counters.Add(Diagnostics.Counter.ClaimsLapsed, lapsed);
        }
        finally
        {
            op.Dispose();
        }

        return lapsed;
    }

    /// <summary>
    /// Writes a snapshot to the store and lets it drop the journal before it, so disk use stays bounded. Runs by
    /// itself every <see cref="PositionManagerOptions.CheckpointEveryRecords"/> journal records.
    /// </summary>
    /// <exception cref="InvalidOperationException">The manager was not opened on a store.</exception>
    public void Checkpoint()
    {
        IPositionStore store = _store ?? throw new InvalidOperationException("This manager was not opened on a store (SuperPositionManager.Open).");
        _checkpointGate.Wait();
        try
        {
            // Everything recorded before 'start' is on disk and reflected in the snapshot taken after it; records from
            // 'start' on are in the new segment and replay over the snapshot only where they are newer.
            ulong start = _journal?.Rotate() ?? 1;
            PositionManagerSnapshot snapshot = CreateSnapshot();
            snapshot.JournalStartSequence = start;
            store.Checkpoint(snapshot);
        }
        finally
        {
            _checkpointGate.Release();
        }
    }

    /// <summary>Records a slot's change in the journal (memory only; under the slot's lock, so per-slot order is kept).</summary>
    private void Journal_NeedsSlotLock(Slot slot, ref Operation op)
    {
        AssertSlotLock(slot);
        if (_journal is not { } journal)
        {
            return;
        }

        (long nextClaimToken, long nextClientSequence) = _book.SequencesNow;
        var record = new JournalRecord
        {
            Slot = Snapshots.SlotWire.ToWire(slot.ReadState_NeedsLock()),
            NextClaimToken = nextClaimToken,
            NextClientOrderSequence = nextClientSequence,
        };
        op.Recorded(journal.Record(record));
    }

    /// <summary>With no lock held: waits until the journal is durable up to <paramref name="sequence"/> (0: nothing to wait for), then checkpoints if due.</summary>
    internal void AwaitDurable(ulong sequence)
    {
        if (_journal is not { } journal || sequence == 0)
        {
            return;
        }

        journal.WaitDurable(sequence);
        if (Settings.CheckpointEveryRecords > 0
            && journal.RecordsSinceCheckpoint >= Settings.CheckpointEveryRecords
            && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
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
