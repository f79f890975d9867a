namespace GridPositions.Benchmarks;

/// <summary>Parked worker threads that run one share of work each time <see cref="RunOnce"/> is called.</summary>
public sealed class ThreadedRunner : IDisposable
{
    private readonly Barrier _start, _done;
    private readonly Thread[] _threads;
    private readonly Action<int> _work;
    private volatile bool _stop;

    public ThreadedRunner(int threads, Action<int> work)
    {
        _work = work;
        _start = new Barrier(threads + 1);
        _done = new Barrier(threads + 1);
        _threads = [.. Enumerable.Range(0, threads).Select(t => new Thread(() => Loop(t)) { IsBackground = true, Name = $"worker {t}" })];
        foreach (Thread thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Every thread runs its share once; returns when all have finished.</summary>
    public void RunOnce()
    {
        _start.SignalAndWait();
        _done.SignalAndWait();
    }

    public void Dispose()
    {
        _stop = true;
        _start.SignalAndWait();
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    private void Loop(int thread)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stop)
            {
                return;
            }

            _work(thread);
            _done.SignalAndWait();
        }
    }
}
