using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GridPositions;

/// <summary>
/// Reports one manager's health to <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>: unhealthy when it is disposed,
/// when its journal failed (it refuses every durable change until reopened) or when an invariant is broken; degraded
/// when its parked updates fill most of their capacity or a claim has waited for its result past its timeout.
/// </summary>
/// <example><code>services.AddHealthChecks().AddCheck("gridpositions-btcusdt", new GridPositionsHealthCheck(manager));</code></example>
public sealed class GridPositionsHealthCheck : IHealthCheck
{
    /// <summary>The share of <see cref="PositionManagerOptions.ParkedUpdateCapacity"/> in use from which the backlog is degraded.</summary>
    public const double ParkedBacklogThreshold = 0.8;

    private readonly SuperPositionManager _manager;

    /// <summary>Checks <paramref name="manager"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="manager"/> is null.</exception>
    public GridPositionsHealthCheck(SuperPositionManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        _manager = manager;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        PositionManagerOptions options = _manager.Options;
        DateTimeOffset overdueBefore = _manager.Time.GetUtcNow() - options.PendingClaimTimeout;
        int parked = _manager.ParkedUpdateCount;
        int overdue = _manager.GetSlots().Count(s => s.Status is SlotStatus.PendingPlace or SlotStatus.PendingCancel && s.Order is { } order && order.ClaimedAt < overdueBefore);
        var data = new Dictionary<string, object>
        {
            ["symbol"] = options.Symbol,
            ["parked_updates"] = parked,
            ["parked_capacity"] = options.ParkedUpdateCapacity,
            ["claims_overdue"] = overdue,
        };

        if (_manager.IsDisposed)
        {
            return HealthCheckResult.Unhealthy($"{options.Symbol}: the manager is disposed.", data: data);
        }

        if (_manager.DurabilityFailed)
        {
            return HealthCheckResult.Unhealthy($"{options.Symbol}: the journal could not be written; every durable change is refused until the manager is reopened from its store.", data: data);
        }

        if (_manager.CheckInvariants() is { Holds: false } broken)
        {
            return HealthCheckResult.Unhealthy($"{options.Symbol}: an invariant is broken: {broken.Violation}", data: data);
        }

        var problems = new List<string>();
        if (parked >= ParkedBacklogThreshold * options.ParkedUpdateCapacity)
        {
            problems.Add($"{parked} of {options.ParkedUpdateCapacity} parked updates are waiting for their orders");
        }

        if (overdue > 0)
        {
            problems.Add($"{overdue} claims have waited for their result past the {options.PendingClaimTimeout} timeout");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy($"{options.Symbol}: healthy.", data)
            : HealthCheckResult.Degraded($"{options.Symbol}: {string.Join("; ", problems)}.", data: data);
    }
}
