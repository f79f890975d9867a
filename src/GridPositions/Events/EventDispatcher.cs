namespace GridPositions.Events;

/// <summary>
/// An ordered queue of events, drained by one background task at a time, so no subscriber runs on a caller's thread
/// or under a manager lock, and a slow subscriber delays only later events, never the manager.
/// </summary>
internal sealed class EventDispatcher(Action<PositionEventArgs> publish, Action onSubscriberFailure)
{
    /// <summary>
    /// Level 3 (leaf). Guards the queue and the draining flag. Taken while holding a slot lock or the slot book's lock
    /// (enqueueing there is what keeps per-slot order); no other lock is taken and nothing is called while holding it.
    /// </summary>
    private readonly object _sync = new();
    private readonly Queue<object> _queue = new();
    private long _nextSequence;
    private bool _draining;

    /// <summary>The queue's length, written under the lock and read without it, so a call that queued nothing pays no lock.</summary>
    private int _queued;

    /// <summary>Appends an event. Safe under any manager lock: it only touches memory.</summary>
    public void Enqueue(PositionEventArgs e)
    {
        lock (_sync)
        {
            e.Sequence = ++_nextSequence;
            _queue.Enqueue(e);
            Volatile.Write(ref _queued, _queue.Count);
        }
    }

    /// <summary>Completes once every event enqueued before the call has been published.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            _queue.Enqueue(done);
            Volatile.Write(ref _queued, _queue.Count);
        }

        Schedule();
        return done.Task;
    }

    /// <summary>Whether events wait with no drain to deliver them: after a call returns, that is a call that forgot to schedule.</summary>
    internal bool IsStalled
    {
        get
        {
            lock (_sync)
            {
                return _queue.Count > 0 && !_draining;
            }
        }
    }

    /// <summary>Starts a drain if anything is queued and none is running. Call with no manager lock held.</summary>
    public void Schedule()
    {
        // An empty read is safe: what this thread queued was read by a drain already, which publishes it.
        if (Volatile.Read(ref _queued) == 0)
        {
            return;
        }

        lock (_sync)
        {
#if FAULT_INJECTION
            if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.ConcurrentDrains) && _queue.Count > 0)
            {
                _draining = false; // the injected bug: forget that a drain is running
            }
#endif
            if (_draining || _queue.Count == 0)
            {
                return;
            }

            _draining = true;
        }

        _ = Task.Run(Drain);
    }

    private void Drain()
    {
        while (true)
        {
            object item;
            lock (_sync)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                item = _queue.Dequeue();
                Volatile.Write(ref _queued, _queue.Count);
            }

            if (item is TaskCompletionSource flushed)
            {
                flushed.TrySetResult();
                continue;
            }

            try
            {
                publish((PositionEventArgs)item);
            }
#pragma warning disable CA1031 // A subscriber's exception must not stop the events behind it; it is counted instead.
            catch (Exception)
#pragma warning restore CA1031
            {
                onSubscriberFailure();
            }
        }
    }
}
