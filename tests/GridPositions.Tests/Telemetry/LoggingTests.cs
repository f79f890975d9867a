using Microsoft.Extensions.Logging;

namespace GridPositions.Tests.Telemetry;

/// <summary>What the manager logs, that it never logs under a lock, and that without a logger it does nothing at all.</summary>
public class LoggingTests
{
    [Fact]
    public async Task RejectedInputs_AreLoggedAsWarnings_FromTheEventTask_WithNoLockHeld()
    {
        (TestGrid grid, RecordingLoggerFactory log) = Logged();
        (OrderAction action, string orderId) = grid.OpenFilled(100m, 1m);
        grid.Update(action, orderId, OrderStatus.Filled, 5m); // an overfill: rejected

        await grid.Manager.FlushEventsAsync();

        LogEntry entry = Assert.Single(log.Entries, e => e.EventId == 1);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("BTCUSDT: input rejected", entry.Message, StringComparison.Ordinal);
        Assert.NotEqual(Environment.CurrentManagedThreadId, entry.ThreadId);
        Assert.All(log.Entries, e => Assert.False(e.UnderLock, $"logged under a lock: {e.Message}"));
    }

    [Fact]
    public async Task RoundTrips_AreLoggedAtInformation_AndFillsOnlyWhenDebugIsOn()
    {
        (TestGrid quiet, RecordingLoggerFactory quietLog) = Logged(LogLevel.Information);
        (TestGrid chatty, RecordingLoggerFactory chattyLog) = Logged(LogLevel.Debug);
        foreach (TestGrid grid in new[] { quiet, chatty })
        {
            grid.OpenFilled(100m, 1m);
            OrderAction close = grid.ClaimClose(100m, 101m, 1m);
            grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, 101m);
            await grid.Manager.FlushEventsAsync();
        }

        LogEntry trip = Assert.Single(quietLog.Entries, e => e.EventId == 5);
        Assert.Equal("BTCUSDT: round trip 1 at 100.00 closed 1, realised 1", trip.Message);
        Assert.DoesNotContain(quietLog.Entries, e => e.EventId == 6);
        Assert.Equal(2, chattyLog.Entries.Count(e => e.EventId == 6 && e.Level == LogLevel.Debug));
    }

    [Fact]
    public async Task AThrowingSubscriber_IsLoggedAsAnError_WithItsException()
    {
        (TestGrid grid, RecordingLoggerFactory log) = Logged();
        grid.Manager.SlotChanged += (_, _) => throw new InvalidOperationException("subscriber bug");
        grid.ClaimOpen(100m);

        await grid.Manager.FlushEventsAsync();

        LogEntry entry = Assert.Single(log.Entries, e => e.EventId == 4);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("subscriber bug", entry.Exception?.Message);
        Assert.Contains("a SlotChanged subscriber threw", entry.Message, StringComparison.Ordinal);
        Assert.Equal(1, grid.Manager.Counters.SubscriberFailures);
    }

    [Fact]
    public void AnOrphanedOrder_IsLoggedOnTheCallersThread_AfterTheLocksAreReleased()
    {
        (TestGrid grid, RecordingLoggerFactory log) = Logged();
        OrderAction first = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(first, "rejected")]);
        grid.ClaimOpen(100m);

        grid.Manager.ApplyActionResults([OrderActionResult.Placed(first, "GHOST")]);

        LogEntry entry = Assert.Single(log.Entries, e => e.EventId == 3);
        Assert.Equal("BTCUSDT: order GHOST went live for slot 100.00, which no longer wanted it; cancel it", entry.Message);
        Assert.Equal(Environment.CurrentManagedThreadId, entry.ThreadId);
        Assert.False(entry.UnderLock);
    }

    [Fact]
    public void Reconciliation_LogsItsFindings_AndWarnsOfPositionDrift()
    {
        (TestGrid grid, RecordingLoggerFactory log) = Logged();
        grid.OpenFilled(100m, 1m);

        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [], null, Position: 3m));

        Assert.Contains(log.Entries, e => e.EventId == 8 && e.Message.Contains("PositionDrift 1", StringComparison.Ordinal));
        LogEntry drift = Assert.Single(log.Entries, e => e.EventId == 9);
        Assert.Equal("BTCUSDT: the exchange's position differs from the slots' by 2", drift.Message);
        Assert.All(log.Entries, e => Assert.False(e.UnderLock));
    }

    [Fact]
    public void WithoutALogger_TheManagerSubscribesToNothing_SoNoEventIsEverQueued()
    {
        var grid = new TestGrid();
        (TestGrid logged, _) = Logged(LogLevel.Debug);

        Assert.False(grid.Manager.Events.HasHandlers(nameof(SuperPositionManager.InputRejected)));
        Assert.False(grid.Manager.Events.HasHandlers(nameof(SuperPositionManager.FillApplied)));
        Assert.True(logged.Manager.Events.HasHandlers(nameof(SuperPositionManager.InputRejected))); // the check can see a subscription
        Assert.True(logged.Manager.Events.HasHandlers(nameof(SuperPositionManager.FillApplied)));
    }

    [Fact]
    public void TheLogCategory_IsTheManagersFullName()
    {
        (_, RecordingLoggerFactory log) = Logged();

        Assert.Equal(["GridPositions.SuperPositionManager"], log.Categories);
    }

    [Fact]
    public void OpeningAStore_IsLoggedOnce_AndNoLapseIsReportedWhenNoClaimLapsed()
    {
        var log = new RecordingLoggerFactory();
        using var dir = new GridPositions.Tests.Persistence.StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None);

        SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, loggerFactory: log);

        LogEntry opened = Assert.Single(log.Entries, e => e.EventId == 10);
        Assert.Equal("BTCUSDT: opened from a None store: 0 slots, 0 held, 0 updates parked", opened.Message);
        Assert.Equal([14, 10], log.Entries.Select(e => e.EventId)); // a new store's first checkpoint, then the opening
    }

    [Fact]
    public void ACheckpoint_IsLogged_WithWhereTheJournalNowStarts_AndNoLockHeld()
    {
        var log = new RecordingLoggerFactory();
        using var dir = new GridPositions.Tests.Persistence.StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, loggerFactory: log);
        log.Manager = manager;
        manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        manager.Checkpoint();

        LogEntry checkpoint = log.Entries.Last(e => e.EventId == 14);
        Assert.Equal((LogLevel.Information, "BTCUSDT: checkpoint written; the journal now starts at sequence 2"), (checkpoint.Level, checkpoint.Message));
        Assert.All(log.Entries, e => Assert.False(e.UnderLock, $"logged under a lock: {e.Message}"));
    }

    [Fact]
    public void AJournalWriteFailure_IsLoggedOnceAsAnError_WithTheCause_ThoughEveryLaterCallFails()
    {
        var log = new RecordingLoggerFactory();
        var store = new GridPositions.Tests.Persistence.MemoryStore(Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, loggerFactory: log);
        log.Manager = manager;
        store.Fail = true;

        Assert.Throws<PersistenceFailedException>(() => manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)));
        Assert.Throws<PersistenceFailedException>(() => manager.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)));

        LogEntry failed = Assert.Single(log.Entries, e => e.EventId == 13);
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Equal("disk full", failed.Exception?.Message);
        Assert.StartsWith("BTCUSDT: the journal could not be written (durable up to sequence 0)", failed.Message, StringComparison.Ordinal);
        Assert.All(log.Entries, e => Assert.False(e.UnderLock, $"logged under a lock: {e.Message}"));
    }

    private static (TestGrid Grid, RecordingLoggerFactory Log) Logged(LogLevel minimum = LogLevel.Information)
    {
        var log = new RecordingLoggerFactory(minimum);
        var grid = new TestGrid(loggerFactory: log);
        log.Manager = grid.Manager;
        return (grid, log);
    }
}
