using System.Diagnostics.Metrics;
using GridPositions.Telemetry;

namespace GridPositions.Operations;

/// <summary>
/// A manager's end: its instruments, published last (so a manager that failed to restore or open leaves none behind),
/// and its disposal, which stops every state change, flushes and checkpoints the store, retires the instruments and
/// ends the event streams, once.
/// </summary>
internal sealed class Lifetime(OperationSinks sinks)
{
    private Metrics.Registration? _metrics;
    private int _disposed;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Publishes the manager's instruments on <paramref name="factory"/> (none if null); called once it is whole.</summary>
    public void Publish(IMeterFactory? factory, SuperPositionManager manager, ManagerContext context)
    {
        if (factory is not null)
        {
            _metrics = Metrics.Register(factory, manager, context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                await Task.Run(Close).ConfigureAwait(false); // the last flush and checkpoint block a pool thread, not the caller
            }
            finally
            {
                await sinks.Events.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                Close();
            }
            finally
            {
                _ = sinks.Events.CloseAsync(); // event streams end once what is queued is delivered, without waiting here
            }
        }
    }

    private void Close()
    {
        sinks.Close();
        try
        {
            sinks.Store.Close();
        }
        finally
        {
            _metrics?.Retire();
        }
    }
}
