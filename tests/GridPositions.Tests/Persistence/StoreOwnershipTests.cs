using GridPositions.Tests.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>Issue 11, "one owner per store" (item 15) and a torn tail that is reported, not silent (item 16).</summary>
public class StoreOwnershipTests
{
    private static readonly PositionManagerOptions s_options = new() { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Item15_OpeningASecondManagerOnTheSameStore_IsRefused_AndTheFirstKeepsWorking()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        SuperPositionManager first = SuperPositionManager.Open(store, s_options, _time);

        var error = Assert.Throws<StoreLockedException>(() => SuperPositionManager.Open(store, s_options, _time));

        Assert.Contains("already owned", error.Message, StringComparison.Ordinal);
        Assert.True(first.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).IsAccepted);
        first.Checkpoint();
    }

    [Fact]
    public void Item15_ASecondStoreObjectForTheSameDirectory_InTheSameProcess_IsRefused()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);

        Assert.Throws<StoreLockedException>(() => FilePositionStore.Open(dir.Path));
        Assert.Throws<StoreLockedException>(() => FilePositionStore.Open(dir.Path + "/."));
    }

    [Fact]
    public void Item15_RecoveringTheSameStoreObjectTwice_IsRefused()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        store.Recover();

        Assert.Throws<InvalidOperationException>(() => store.Recover());
    }

    [Fact]
    public void Item15_AfterTheOwnerIsGone_TheDirectoryOpensAgain_AndAFailedOpenOwnsNothing()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, s_options, _time);
            m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        }

        using FilePositionStore again = FilePositionStore.Open(dir.Path);
        var otherSymbol = new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m };
        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Open(again, otherSymbol, _time));
    }

    [Fact]
    public void Item16_ATornTailCutAtRecovery_IsReported_InTheRecoveryTheCounterAndTheLog()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, s_options, _time);
            m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        }

        string segment = Directory.GetFiles(dir.Path, "journal-*.gpj").Order(StringComparer.Ordinal).Last();
        long intact = new FileInfo(segment).Length;
        File.AppendAllText(segment, "\x20\0\0\0torn");

        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            StoreRecovery recovery = store.Recover();
            Assert.Equal(new TornTail(segment, intact, 8), recovery.TornTail);
        }

        File.AppendAllText(segment, "\x20\0\0\0torn");
        var logs = new RecordingLoggerFactory();
        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager recovered = SuperPositionManager.Open(reopened, s_options, _time, logs);

        Assert.Equal(1, recovered.Counters.TornTailsCut);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("torn", StringComparison.Ordinal) && e.Message.Contains(segment, StringComparison.Ordinal));
    }

    [Fact]
    public void Item16_ACleanRecovery_ReportsNoTornTail()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager.Open(store, s_options, _time).ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Null(reopened.Recover().TornTail);
    }

    [Fact]
    public void Item3_AfterRecovery_AClaimWithNoResultIsUnknown_AndACancelWithNoResultIsLiveAgain()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, s_options, _time);
            m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
            OrderAction live = m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(live, "L1")]);
            m.ClaimSlot(ClaimRequest.Cancel(101m));
        }

        var logs = new RecordingLoggerFactory();
        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager recovered = SuperPositionManager.Open(reopened, s_options, _time, logs);

        Assert.Equal((SlotStatus.Unknown, SlotStatus.Live), (recovered.GetSlot(100m)!.Status, recovered.GetSlot(101m)!.Status));
        Assert.Equal(2, recovered.Counters.ClaimsLapsed);
        Assert.Contains(logs.Entries, e => e.Message.Contains("2 claims had no result at recovery", StringComparison.Ordinal));
        Assert.True(recovered.CheckInvariants().Holds);
    }

    [Fact]
    public void OpenRefusesNoStore_AFailedOpenLeavesTheStoreFreeToOpenAgain_AndCheckpointNeedsAStore()
    {
        Assert.Throws<ArgumentNullException>("store", () => SuperPositionManager.Open(null!, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
        using var dir = new StoreDirectory();
        using (FilePositionStore first = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager.Open(first, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }).ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        }

        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
        var flaky = new RecoverFailsOnce();
        Assert.Throws<IOException>(() => SuperPositionManager.Open(flaky, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
        SuperPositionManager.Open(flaky, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }); // nobody owns it after the failure
        var storeless = new SuperPositionManager(new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m });
        Assert.Equal("This manager was not opened on a store (SuperPositionManager.Open).", Assert.Throws<InvalidOperationException>(storeless.Checkpoint).Message);
    }

    /// <summary>A store whose first recovery fails (a transient read error), then recovers empty.</summary>
    private sealed class RecoverFailsOnce : IPositionStore
    {
        private int _recoveries;

        public Durability Durability => Durability.None;

        public StoreRecovery Recover() => ++_recoveries == 1 ? throw new IOException("transient") : new StoreRecovery(null, 1);

        public void Append(IReadOnlyList<JournalEntry> entries)
        {
        }

        public void StartSegment(ulong firstSequence)
        {
        }

        public void Checkpoint(StoreSnapshot snapshot)
        {
        }

        public void Dispose()
        {
        }
    }
}
