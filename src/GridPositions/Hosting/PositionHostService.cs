using Microsoft.Extensions.Hosting;

namespace GridPositions.Hosting;

/// <summary>
/// Runs a <see cref="PositionHost"/> in the .NET Generic Host: opens (recovers) every manager at start, before the
/// services registered after it start, and at stop flushes, checkpoints and ends them, after those services stopped.
/// Registered by <c>AddGridPositionsHost</c>; register your bot's services after it.
/// </summary>
public sealed class PositionHostService : IHostedService
{
    private readonly PositionHost _host;

    /// <summary>Runs <paramref name="host"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    public PositionHostService(PositionHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <summary>Opens every manager, unless a service built before start already had one resolved (recovery reads and replays the stores, on a pool thread).</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(_host.EnsureOpen, cancellationToken);

    /// <summary>Ends every manager: a last flush and checkpoint, stores given back.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _host.DisposeAsync().AsTask();
}
