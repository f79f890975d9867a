using GridPositions.Tests.Telemetry;
using Microsoft.Extensions.Logging;

namespace GridPositions.Tests;

/// <summary>A lease that expires unfinished is reported once (event and warning), when its holder or another caller notices it.</summary>
public class LeaseExpiryTests
{
    [Fact]
    public async Task AnExpiredModifyLease_IsReportedOnce_WhenItsHolderIsRefused_NotAgainWhenAnotherTakesThePosition()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        var expired = new List<LeaseExpiredEventArgs>();
        grid.Manager.LeaseExpired += (_, e) => expired.Add(e);
        PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "first"));
        grid.Time.Advance(grid.Options.LeaseTimeout);

        Assert.Throws<LeaseLostException>(() => grid.Manager.CompleteModify(lease));
        Assert.Throws<LeaseLostException>(() => grid.Manager.CompleteModify(lease)); // noticed twice, reported once
        using PositionLease next = grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "second"));
        await grid.Manager.FlushEventsAsync();

        LeaseExpiredEventArgs e = Assert.Single(expired);
        Assert.Equal((100m, LeaseKind.Modify, lease.FencingToken, lease.ExpiresAt), (e.SlotPrice, e.Kind, e.FencingToken, e.ExpiredAt));
    }

    [Fact]
    public async Task AnExpiredCloseLease_IsReported_WhenAnotherCallerTakesThePosition_AndNotAgainWhenItsHolderComesBack()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        var expired = new List<LeaseExpiredEventArgs>();
        grid.Manager.LeaseExpired += (_, e) => expired.Add(e);
        PositionLease first = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        grid.Time.Advance(grid.Options.LeaseTimeout + TimeSpan.FromSeconds(1));

        PositionLease second = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(first.FencingToken, Assert.Single(expired).FencingToken);

        Assert.Throws<LeaseLostException>(() => grid.Manager.ClaimCloseOrder(first, 101m)); // the late holder: another lease holds the slot
        second.Dispose();
        await grid.Manager.FlushEventsAsync();
        Assert.Single(expired);
    }

    [Fact]
    public async Task ALeaseThatEndsInTime_IsNeverReported()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        var expired = new List<LeaseExpiredEventArgs>();
        grid.Manager.LeaseExpired += (_, e) => expired.Add(e);

        grid.Manager.ModifyTargets(new ModifyRequest(100m, 90m, null, "in time"));
        grid.Manager.BeginModify(new ModifyRequest(100m, 91m, null, "released")).Dispose();
        grid.Time.Advance(grid.Options.LeaseTimeout * 2);
        using PositionLease later = grid.Manager.BeginModify(new ModifyRequest(100m, 92m, null, "later"));
        await grid.Manager.FlushEventsAsync();

        Assert.Empty(expired);
    }

    [Fact]
    public async Task AnExpiry_IsLoggedAsAWarning_WithNoLockHeld()
    {
        var log = new RecordingLoggerFactory(LogLevel.Information);
        var grid = new TestGrid(loggerFactory: log);
        log.Manager = grid.Manager;
        grid.OpenFilled(100m, 1m);
        PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "slow"));
        grid.Time.Advance(grid.Options.LeaseTimeout);
        Assert.Throws<LeaseLostException>(() => lease.Renew());
        await grid.Manager.FlushEventsAsync();

        LogEntry entry = Assert.Single(log.Entries, e => e.EventId == 15);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains($"the Modify lease {lease.FencingToken} on slot 100.00 expired", entry.Message, StringComparison.Ordinal);
        Assert.All(log.Entries, e => Assert.False(e.UnderLock, $"logged under a lock: {e.Message}"));
    }
}

/// <summary>The holder that releases a lease only after it expired (a using block that outlived it) reports it too.</summary>
public class LeaseReleasedLateTests
{
    [Fact]
    public async Task ALeaseReleasedAfterItExpired_IsReportedOnce()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        var expired = new List<LeaseExpiredEventArgs>();
        grid.Manager.LeaseExpired += (_, e) => expired.Add(e);
        PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "slow"));
        grid.Time.Advance(grid.Options.LeaseTimeout);

        lease.Dispose();
        lease.Dispose();
        await grid.Manager.FlushEventsAsync();

        Assert.Equal(lease.FencingToken, Assert.Single(expired).FencingToken);
    }
}
