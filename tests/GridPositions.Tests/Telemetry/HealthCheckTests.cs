using GridPositions.Tests.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GridPositions.Tests.Telemetry;

/// <summary>What the health check reports for each way a manager can be unwell, and that a well one is healthy.</summary>
public class HealthCheckTests
{
    private static HealthCheckResult Check(SuperPositionManager manager) =>
        new GridPositionsHealthCheck(manager).CheckHealthAsync(new HealthCheckContext()).GetAwaiter().GetResult();

    [Fact]
    public void AWellManager_IsHealthy_AndSaysWhatItLookedAt()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);

        HealthCheckResult result = Check(grid.Manager);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("BTCUSDT", result.Data["symbol"]);
        Assert.Equal(0, result.Data["parked_updates"]);
        Assert.Equal(0, result.Data["claims_overdue"]);
    }

    [Fact]
    public void AnInjectedJournalFailure_MakesItUnhealthy()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m });
        Assert.Equal(HealthStatus.Healthy, Check(manager).Status);
        store.Fail = true;
        Assert.Throws<PersistenceFailedException>(() => manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)));

        HealthCheckResult result = Check(manager);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("journal could not be written", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenInvariant_MakesItUnhealthy_NamingTheViolation()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        Internals.Corrupt(Internals.Slot(grid.Manager, 100m), s => s.Position.Inventory += 0.5m);

        HealthCheckResult result = Check(grid.Manager);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("invariant is broken", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AParkedBacklogNearCapacity_OrAClaimPastItsTimeout_IsDegraded()
    {
        var grid = new TestGrid(); // parked capacity 8
        for (int i = 0; i < 6; i++)
        {
            grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "unknown" + i, Status = OrderStatus.New });
        }

        Assert.Equal(HealthStatus.Healthy, Check(grid.Manager).Status); // 6 of 8 is under the threshold
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "unknown6", Status = OrderStatus.New });
        HealthCheckResult backlog = Check(grid.Manager);
        Assert.Equal(HealthStatus.Degraded, backlog.Status);
        Assert.Contains("7 of 8 parked updates", backlog.Description, StringComparison.Ordinal);

        var claims = new TestGrid();
        claims.ClaimOpen(100m);
        claims.Time.Advance(claims.Options.PendingClaimTimeout);
        Assert.Equal(HealthStatus.Healthy, Check(claims.Manager).Status); // at the timeout, not past it
        claims.Time.Advance(TimeSpan.FromSeconds(1));
        HealthCheckResult overdue = Check(claims.Manager);
        Assert.Equal(HealthStatus.Degraded, overdue.Status);
        Assert.Equal(1, overdue.Data["claims_overdue"]);
    }

    [Fact]
    public async Task ADisposedManager_IsUnhealthy()
    {
        var grid = new TestGrid();
        await grid.Manager.DisposeAsync();

        Assert.Equal(HealthStatus.Unhealthy, Check(grid.Manager).Status);
        Assert.Throws<ArgumentNullException>(() => new GridPositionsHealthCheck(null!));
    }
}
