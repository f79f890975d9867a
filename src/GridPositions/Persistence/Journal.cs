using System.Diagnostics;
using Google.Protobuf;

namespace GridPositions.Persistence;

/// <summary>
/// The manager's side of the journal: records are added in memory under slot locks (in the order the changes
/// happened, so per-slot order is the record order), and written by whichever waiting caller becomes the leader,
/// with no manager lock held (group commit).
/// </summary>
internal sealed class Journal
{
    /// <summary>
    /// Level 3 (leaf). Guards the pending records, the sequence numbers and the leader flag. Taken while holding a slot
    /// lock (to add a record); nothing is taken and no I/O is done while holding it.
    /// </summary>
    private readonly object _sync = new();
    private readonly IPositionStore _store;
    private readonly TimeProvider _time;
    private readonly Telemetry.Measurements? _measurements; // flush times, when the instruments are published
    private readonly bool _oneRecordPerFlush;
    private List<JournalRecord> _pending = [];
    private ulong _lastSequence;
    private ulong _durable;
    private bool _flushing;
    private Exception? _failure;
    private long _sinceCheckpoint;

    /// <summary>Awaited waits, in no particular order; each is settled (outside the lock) once its sequence is durable or the journal fails.</summary>
    private readonly List<(ulong Sequence, TaskCompletionSource Done)> _awaiting = [];

    /// <summary>A thread-pool flush for <see cref="_awaiting"/> is queued or running (at most one).</summary>
    private bool _flushQueued;

    /// <summary>Told once, with no lock held, by the writer whose write failed: the error and the last durable sequence.</summary>
    private readonly Action<Exception, ulong>? _failed;

    public Journal(IPositionStore store, ulong nextSequence, Action<Exception, ulong>? failed = null, TimeProvider? time = null, Telemetry.Measurements? measurements = null)
    {
        _store = store;
        _failed = failed;
        _time = time ?? TimeProvider.System;
        _measurements = measurements;
        _oneRecordPerFlush = store.Durability == Durability.EveryRecord;
        _lastSequence = _durable = nextSequence - 1;
    }

    public long RecordsSinceCheckpoint => Interlocked.Read(ref _sinceCheckpoint);

    /// <summary>Whether a write failed: nothing after the last durable record will ever be reported durable.</summary>
    public bool HasFailed
    {
        get
        {
            lock (_sync)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>The sequence of the last record added (durable or not): awaiting it covers everything recorded so far.</summary>
    public ulong LastSequence
    {
        get
        {
            lock (_sync)
            {
                return _lastSequence;
            }
        }
    }

    /// <summary>Adds a record (memory only) and returns its sequence number.</summary>
    public ulong Record(JournalRecord record)
    {
        lock (_sync)
        {
            record.Sequence = ++_lastSequence;
            _pending.Add(record);
            _sinceCheckpoint++;
            return _lastSequence;
        }
    }

    /// <summary>Returns once every record up to <paramref name="sequence"/> is on disk, writing them if no one else is.</summary>
    /// <exception cref="PersistenceFailedException">A write failed; nothing after the last durable record will be reported durable.</exception>
    public void WaitDurable(ulong sequence)
    {
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.AckBeforeFlush))
        {
            return; // the injected bug: acknowledge now; the records reach the disk only with the next checkpoint
        }
#endif
        WaitDurableCore(sequence);
    }

    /// <summary>
    /// Completes once every record up to <paramref name="sequence"/> is on disk, without blocking the caller: the write
    /// is left to a leader that is already flushing, or to one flush queued on the thread pool (where the fsync blocks a
    /// pool thread, not the caller). Awaits that arrive while a flush is under way share the next one.
    /// </summary>
    /// <exception cref="PersistenceFailedException">A write failed (in the returned task).</exception>
    public ValueTask WaitDurableAsync(ulong sequence)
    {
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.AckBeforeFlush))
        {
            return default; // the injected bug, as in WaitDurable
        }
#endif
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool queue;
        lock (_sync)
        {
            if (Failure_NeedsLock() is { } failure)
            {
                return ValueTask.FromException(failure);
            }

            if (_durable >= sequence)
            {
                return default;
            }

            _awaiting.Add((sequence, done));
            queue = !_flushQueued;
            _flushQueued = true;
        }

        if (queue)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static journal => journal.FlushForAwaiting(), this, preferLocal: false);
        }

        return new ValueTask(done.Task);
    }

    /// <summary>The queued flush: writes until no await is left beyond what is durable (a failure has settled them all).</summary>
    private void FlushForAwaiting()
    {
        while (true)
        {
            ulong target;
            lock (_sync)
            {
                target = _failure is null ? HighestAwaited_NeedsLock() : 0;
                if (target <= _durable)
                {
                    _flushQueued = false;
                    return;
                }
            }

            try
            {
                WaitDurableCore(target);
            }
            catch (PersistenceFailedException)
            {
                // Write settled every await with the failure; the next pass sees it and stops.
            }
        }
    }

    private ulong HighestAwaited_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the journal's lock must be held");
        ulong highest = 0;
        foreach ((ulong sequence, _) in _awaiting)
        {
            highest = Math.Max(highest, sequence);
        }

        return highest;
    }

    private void WaitDurableCore(ulong sequence)
    {
        while (TakeBatchOrWait(sequence, out List<JournalRecord>? batch))
        {
            Write(batch!, startSegmentAfter: false);
        }
    }

    /// <summary>Writes every pending record, then starts a new segment; returns the sequence it starts at.</summary>
    public ulong Rotate()
    {
        ulong last;
        lock (_sync)
        {
            last = _lastSequence;
        }

        // Become the leader for everything up to 'last', then, still leader, switch segments.
        while (true)
        {
            List<JournalRecord>? batch;
            lock (_sync)
            {
                WaitForLeadership_NeedsLock();
                _flushing = true;
                batch = _pending.Count == 0 ? [] : TakeAll_NeedsLock();
            }

            ulong start = Write(batch, startSegmentAfter: true);
            if (start > last)
            {
                Interlocked.Exchange(ref _sinceCheckpoint, 0);
                return start;
            }
        }
    }

    private bool TakeBatchOrWait(ulong sequence, out List<JournalRecord>? batch)
    {
        batch = null;
        lock (_sync)
        {
            while (true)
            {
                ThrowIfFailed_NeedsLock();
                if (_durable >= sequence)
                {
                    return false;
                }

                if (!_flushing)
                {
                    break;
                }

                Monitor.Wait(_sync);
            }

            _flushing = true;
            if (_oneRecordPerFlush)
            {
                batch = [_pending[0]];
                _pending.RemoveAt(0);
            }
            else
            {
                batch = TakeAll_NeedsLock();
            }

            return true;
        }
    }

    /// <summary>The leader's I/O, outside every lock; then hands leadership back. Returns the next sequence.</summary>
    private ulong Write(List<JournalRecord> batch, bool startSegmentAfter)
    {
        Exception? error = null;
        TimeSpan? flushTime = null;
        ulong next;
        lock (_sync)
        {
            next = batch.Count > 0 ? batch[^1].Sequence + 1 : _durable + 1;
        }

        try
        {
            if (batch.Count > 0)
            {
                bool timed = _measurements is { RecordsFlushes: true };
                long started = timed ? _time.GetTimestamp() : 0;
                _store.Append(ToEntries(batch));
                flushTime = timed ? _time.GetElapsedTime(started) : null;
            }

            if (startSegmentAfter)
            {
                _store.StartSegment(next);
            }
        }
#pragma warning disable CA1031 // Any failure poisons the journal; every waiter then gets it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }

        List<TaskCompletionSource>? settled;
        PersistenceFailedException? failure;
        ulong durable;
        lock (_sync)
        {
            if (error is null)
            {
                _durable = next - 1;
            }
            else
            {
                _failure = error; // only one writer runs at a time, and none after a failure: this is the first
            }

            durable = _durable;

            _flushing = false;
            Monitor.PulseAll(_sync);
            failure = Failure_NeedsLock();
            settled = TakeSettled_NeedsLock(failure is not null);
        }

        if (error is not null)
        {
            _failed?.Invoke(error, durable);
        }

        if (flushTime is { } elapsed)
        {
            // Recorded once leadership is handed back, outside the write's try: a metric listener that throws must not
            // fail a write that reached the disk, nor hold up the next leader.
            try
            {
                _measurements!.Flushed(elapsed);
            }
#pragma warning disable CA1031 // A listener's failure is the listener's; the journal carries on.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        // Awaits are completed with no lock held (their continuations run asynchronously anyway).
        foreach (TaskCompletionSource done in settled ?? [])
        {
            if (failure is null)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(failure);
            }
        }

        return failure is null ? next : throw failure;
    }

    /// <summary>Removes the awaits that are settled now: those durable, or all of them once the journal has failed.</summary>
    private List<TaskCompletionSource>? TakeSettled_NeedsLock(bool failed)
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the journal's lock must be held");
        List<TaskCompletionSource>? settled = null;
        for (int i = _awaiting.Count - 1; i >= 0; i--)
        {
            if (failed || _awaiting[i].Sequence <= _durable)
            {
                (settled ??= []).Add(_awaiting[i].Done);
                _awaiting.RemoveAt(i);
            }
        }

        return settled;
    }

    /// <summary>The records as the store keeps them, serialized by the leader with no lock held.</summary>
    private static JournalEntry[] ToEntries(List<JournalRecord> batch)
    {
        var entries = new JournalEntry[batch.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new JournalEntry(batch[i].Sequence, batch[i].ToByteArray());
        }

        return entries;
    }

    private void WaitForLeadership_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the journal's lock must be held");
        while (_flushing)
        {
            ThrowIfFailed_NeedsLock();
            Monitor.Wait(_sync);
        }

        ThrowIfFailed_NeedsLock();
    }

    private List<JournalRecord> TakeAll_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the journal's lock must be held");
        List<JournalRecord> all = _pending;
        _pending = [];
        return all;
    }

    private void ThrowIfFailed_NeedsLock()
    {
        if (Failure_NeedsLock() is { } failure)
        {
            throw failure;
        }
    }

    private PersistenceFailedException? Failure_NeedsLock()
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the journal's lock must be held");
        return _failure is null ? null : new PersistenceFailedException($"The journal could not be written (durable up to sequence {_durable}); reopen the manager from its store.", _failure);
    }
}
