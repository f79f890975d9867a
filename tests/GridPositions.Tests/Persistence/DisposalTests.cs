using GridPositions.Wire;
using System.Diagnostics.Metrics;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// Disposing a manager is its clean shutdown: what it recorded is durable, a last checkpoint leaves no journal to
/// replay, the store can be opened again in the same process, and a disposed manager changes nothing more.
/// </summary>
public class DisposalTests
{
    private static readonly PositionManagerOptions s_options = new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, CheckpointEveryRecords = 0 };

    [Fact]
    public async Task Disposal_CheckpointsAndGivesTheStoreBack_SoItReopensWithNothingToReplay()
    {
        using var dir = new StoreDirectory();
        FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, s_options);
        OrderAction action = manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 3m)).Action;
        manager.ApplyActionResults([OrderActionResult.Placed(action, "E1")]);
        manager.OnOrderUpdate(new OrderUpdate { OrderId = "E1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 2m });
        IReadOnlyList<SlotView> before = manager.GetSlots();
        Assert.Throws<StoreLockedException>(() => SuperPositionManager.Open(store, s_options)); // owned while the manager lives

        await manager.DisposeAsync();
        store.Dispose();

        using (FilePositionStore look = FilePositionStore.Open(dir.Path, Durability.GroupCommit))
        {
            StoreRecovery recovery = look.Recover();
            Assert.NotNull(recovery.Snapshot);
            Assert.Empty(recovery.Journal); // the last checkpoint holds everything
        }

        using FilePositionStore again = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        await using SuperPositionManager reopened = SuperPositionManager.Open(again, s_options);
        Assert.Equal(before.Select(s => (s.Price, s.Status, s.Inventory, s.Order?.OrderId)), reopened.GetSlots().Select(s => (s.Price, s.Status, s.Inventory, s.Order?.OrderId)));
        Assert.Equal(before, manager.GetSlots()); // reads still work on the disposed one
    }

    [Fact]
    public async Task ADisposedManager_GivesItsStoreBack_EvenWhenItsLastWriteFails()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, s_options);
        manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        store.Fail = true;
        Assert.Throws<PersistenceFailedException>(() => manager.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)));

        await Assert.ThrowsAsync<PersistenceFailedException>(() => manager.DisposeAsync().AsTask()); // the failure is not hidden

        await using SuperPositionManager reopened = SuperPositionManager.Open(store, s_options); // the store is no longer owned
    }

    [Fact]
    public void TheSynchronousDispose_WritesTheLastCheckpoint_AndGivesTheStoreBackToo()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        using (SuperPositionManager manager = SuperPositionManager.Open(store, s_options))
        {
            manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
            Assert.Throws<StoreLockedException>(() => SuperPositionManager.Open(store, s_options));
        }

        Assert.Equal(2, store.Checkpoints.Count); // the new store's first, and the last one at disposal
        Assert.Equal(SlotStatus.PendingPlace, PositionManagerSnapshot.Parser.ParseFrom(store.Checkpoints[^1].Payload.Span).Slots.Single().Status);
        using SuperPositionManager reopened = SuperPositionManager.Open(store, s_options);
    }

    [Fact]
    public async Task ADisposedManager_RefusesEveryCallThatWouldChangeState_AndChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(open);
        grid.Update(open, orderId, OrderStatus.Filled, 2m);
        PositionLease modify = grid.Manager.BeginModify(new ModifyRequest(100m, null, 110m, "test"));
        SuperPositionManager m = grid.Manager;
        IReadOnlyList<SlotView> before = m.GetSlots();
        ManagerCounters counters = m.Counters;

        await m.DisposeAsync();
        await m.DisposeAsync(); // a second disposal does nothing

        Action[] calls =
        [
            () => m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)),
            () => m.ApplyActionResults([OrderActionResult.Placed(open, "E9")]),
            () => m.OnOrderUpdate(new OrderUpdate { OrderId = orderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }),
            () => m.OnOrderUpdates([new OrderUpdate { OrderId = orderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }]),
            () => _ = m.OnOrderUpdateAsync(new OrderUpdate { OrderId = orderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }).AsTask(),
            () => _ = m.ClaimSlotsAsync([ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)]).AsTask(),
            () => m.ExpireParkedUpdates(),
            () => m.BeginClose(new CloseRequest(100m)),
            () => m.CloseAll(),
            () => m.BeginModify(new ModifyRequest(100m, 90m, null, "test")),
            () => m.CompleteModify(modify),
            () => m.ModifyTargets(new ModifyRequest(100m, 90m, null, "test")),
            () => m.BeginReconciliation(),
            () => m.Checkpoint(),
            () => modify.Renew(),
        ];
        for (int i = 0; i < calls.Length; i++)
        {
            Exception? thrown = Record.Exception(calls[i]);
            Assert.True(thrown is ObjectDisposedException { ObjectName: "GridPositions.SuperPositionManager" }, $"call {i}: {thrown?.GetType().Name ?? "nothing thrown"}");
        }

        modify.Dispose(); // a lease's release does nothing now, and must not throw
        Assert.Equal(before, m.GetSlots());
        Assert.Equal(counters, m.Counters);
    }

    [Fact]
    public async Task ADisposedManagersInstruments_StopReporting_AndAReopenedOnesReportAlone()
    {
        using var meters = new Telemetry.MetricsTests.TestMeterFactory();
        using var dir = new StoreDirectory();
        FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        SuperPositionManager first = SuperPositionManager.Open(store, s_options, meterFactory: meters);
        first.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        Assert.Equal([1L], Claims(meters));

        await first.DisposeAsync();
        store.Dispose();
        Assert.Empty(Claims(meters));

        using FilePositionStore again = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        await using SuperPositionManager second = SuperPositionManager.Open(again, s_options, meterFactory: meters);
        second.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m));
        second.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m));
        Assert.Equal([3L], Claims(meters)); // the counters as of the last checkpoint (1), plus what the reopened one accepted
    }

    /// <summary>Every accepted-claims measurement the factory's meters report now.</summary>
    private static List<long> Claims(IMeterFactory meters)
    {
        var seen = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "gridpositions.claims" && ((Telemetry.MetricsTests.TestMeterFactory)meters).Created.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "gridpositions.outcome" && Equals(t.Value, "accepted")))
            {
                seen.Add(value);
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
