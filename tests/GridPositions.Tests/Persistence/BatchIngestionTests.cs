using GridPositions.Wire;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// Batches of updates and the awaited forms of the calls that change slots: a batch is one call whose records share
/// one flush, and an awaited call completes only once its records are on disk, without holding the caller's thread.
/// </summary>
public class BatchIngestionTests
{
    private static readonly PositionManagerOptions s_options = new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, CheckpointEveryRecords = 0 };
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    /// <summary>A manager on <paramref name="store"/> with live opening orders of 10 at levels 100, 101, ...; returns their (action, order id).</summary>
    private static (SuperPositionManager Manager, (OrderAction Action, string Id)[] Orders) LiveGrid(MemoryStore store, int levels)
    {
        // One fixed clock: two grids built alike have the same client ids and claim times.
        SuperPositionManager m = SuperPositionManager.Open(store, s_options, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        var orders = new (OrderAction, string)[levels];
        for (int i = 0; i < levels; i++)
        {
            OrderAction action = m.ClaimSlot(ClaimRequest.Place(100m + i, OrderSide.Buy, 100m + i, 10m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(action, "E" + i)]);
            orders[i] = (action, "E" + i);
        }

        return (m, orders);
    }

    private static OrderUpdate Fill(string orderId, decimal cumulative, OrderStatus status = OrderStatus.PartiallyFilled) =>
        new() { OrderId = orderId, Status = status, CumulativeFilledQuantity = cumulative };

    [Fact]
    public void ABatch_EndsAsTheSameUpdatesOneByOne_WithOneFlushForAllItsRecords()
    {
        var batchStore = new MemoryStore(Durability.GroupCommit);
        var singleStore = new MemoryStore(Durability.GroupCommit);
        (SuperPositionManager batched, _) = LiveGrid(batchStore, 3);
        (SuperPositionManager single, _) = LiveGrid(singleStore, 3);
        OrderUpdate[] updates =
        [
            Fill("E0", 4m), Fill("E1", 10m, OrderStatus.Filled), Fill("E0", 4m), Fill("E0", 3m), Fill("E9", 1m),
            Fill("E2", 11m), Fill("E0", 10m, OrderStatus.Filled), Fill("E1", 10m, OrderStatus.Filled),
        ];
        int flushesBefore = batchStore.Flushes;

        IReadOnlyList<InputDisposition> dispositions = batched.OnOrderUpdates(updates);

        Assert.Equal(flushesBefore + 1, batchStore.Flushes); // three records (two fills, one filling and finishing), one flush
        Assert.Equal(updates.Select(single.OnOrderUpdate), dispositions);
        Assert.Equal(
            [InputDisposition.Applied, InputDisposition.Applied, InputDisposition.Duplicate, InputDisposition.Duplicate, InputDisposition.Parked, InputDisposition.Rejected, InputDisposition.Applied, InputDisposition.Duplicate],
            dispositions);
        Assert.Equal(single.GetSlots(), batched.GetSlots());
        Assert.Equal(single.Counters, batched.Counters);
        Assert.Equal(singleStore.Records.Select(r => r.Slot), batchStore.Records.Select(r => r.Slot));
    }

    [Fact]
    public void AMalformedUpdateInABatch_IsNamedByItsIndex_AndNothingInTheBatchIsApplied()
    {
        (SuperPositionManager m, _) = LiveGrid(new MemoryStore(Durability.GroupCommit), 2);
        IReadOnlyList<SlotView> before = m.GetSlots();
        ManagerCounters counters = m.Counters;
        OrderUpdate[] updates = [Fill("E0", 4m), Fill("E1", 2m), Fill("E1", -1m)];

        var error = Assert.Throws<ArgumentException>(() => m.OnOrderUpdates(updates));

        Assert.Equal("updates", error.ParamName);
        Assert.StartsWith("updates[2]: CumulativeFilledQuantity must not be negative", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, m.GetSlots());
        Assert.Equal(counters, m.Counters);
        Assert.Throws<ArgumentException>(() => m.OnOrderUpdates(updates.AsSpan(), new InputDisposition[2])); // too few dispositions
        Assert.Equal(before, m.GetSlots());
        Assert.Throws<ArgumentNullException>(() => m.OnOrderUpdates(null!));
    }

    [Fact]
    public void BlankIdsInABatch_AreNoIds_AsForOneUpdate()
    {
        (SuperPositionManager m, (OrderAction Action, string Id)[] orders) = LiveGrid(new MemoryStore(Durability.GroupCommit), 1);
        OrderUpdate byClientId = Fill(" ", 2m) with { ClientOrderId = orders[0].Action.ClientOrderId };

        Span<InputDisposition> dispositions = stackalloc InputDisposition[1];
        m.OnOrderUpdates([byClientId], dispositions);

        Assert.Equal(InputDisposition.Applied, dispositions[0]);
        Assert.Equal(2m, m.GetSlot(100m)!.Inventory);
    }

    [Fact]
    public async Task AnAwaitedUpdate_CompletesOnlyOnceItsRecordIsOnDisk_WithoutHoldingTheCallersThread()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        (SuperPositionManager m, _) = LiveGrid(store, 2);
        var slowDisk = new TaskCompletionSource();
        store.Gate = slowDisk.Task;
        int recordsBefore = store.Records.Count, flushesBefore = store.Flushes;

        // The call returns to this thread while the disk is stuck: the flush runs elsewhere.
        ValueTask<InputDisposition> awaited = m.OnOrderUpdateAsync(Fill("E0", 4m));
        Assert.Equal(1, await store.GatedAppendBegan.Task.WaitAsync(s_patience));
        Assert.False(awaited.IsCompleted);
        Assert.Equal(4m, m.GetSlot(100m)!.Inventory); // applied in memory at once, like the synchronous form

        // Awaits that arrive during the stuck flush share the next one.
        ValueTask<IReadOnlyList<InputDisposition>> batch = m.OnOrderUpdatesAsync([Fill("E0", 5m), Fill("E1", 1m)]);
        ValueTask<InputDisposition> another = m.OnOrderUpdateAsync(Fill("E1", 2m));
        Assert.False(batch.IsCompleted);
        Assert.False(another.IsCompleted);

        slowDisk.SetResult();
        Assert.Equal(InputDisposition.Applied, await awaited.AsTask().WaitAsync(s_patience));
        Assert.Equal([InputDisposition.Applied, InputDisposition.Applied], await batch.AsTask().WaitAsync(s_patience));
        Assert.Equal(InputDisposition.Applied, await another.AsTask().WaitAsync(s_patience));
        Assert.Equal(recordsBefore + 4, store.Records.Count);
        Assert.Equal(flushesBefore + 2, store.Flushes); // the stuck one, then one for the three records that queued behind it
        Assert.Equal(5m, store.Records.Last(r => r.Slot.Price.ToDecimal() == 100m).Slot.Inventory.ToDecimal());
    }

    [Fact]
    public async Task AwaitedClaimsAndResults_CompleteWithTheirRecordsOnDisk()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);

        IReadOnlyList<ClaimResult> claims = await m.ClaimSlotsAsync([ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m), ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)]);
        Assert.True(claims[0].IsAccepted);
        Assert.Equal(ClaimRejection.SlotBusy, claims[1].Rejection);
        Assert.Equal(claims[0].Action.ClientOrderId, store.Records[^1].Slot.Order.ClientOrderId);

        IReadOnlyList<ResultOutcome> outcomes = await m.ApplyActionResultsAsync([OrderActionResult.Placed(claims[0].Action, "E1")]);
        Assert.Equal(InputDisposition.Applied, outcomes[0].Disposition);
        Assert.Equal("E1", store.Records[^1].Slot.Order.OrderId);
    }

    [Fact]
    public async Task AnAwaitedCallOnAFailingDisk_FailsInItsTask_AndEveryLaterOneIsToldToReopen()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        (SuperPositionManager m, _) = LiveGrid(store, 1);
        store.Fail = true;

        ValueTask<InputDisposition> failing = m.OnOrderUpdateAsync(Fill("E0", 1m)); // the failure is in the task, not thrown here
        var error = await Assert.ThrowsAsync<PersistenceFailedException>(() => failing.AsTask().WaitAsync(s_patience));
        Assert.Contains("disk full", error.InnerException!.Message, StringComparison.Ordinal);

        store.Fail = false;
        await Assert.ThrowsAsync<PersistenceFailedException>(() => m.OnOrderUpdateAsync(Fill("E0", 2m)).AsTask().WaitAsync(s_patience));
        Assert.Throws<PersistenceFailedException>(() => m.OnOrderUpdate(Fill("E0", 3m)));
    }

    [Fact]
    public async Task Cancellation_EndsOnlyTheWait_AndATokenCanceledBeforeTheCallAppliesNothing()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        (SuperPositionManager m, _) = LiveGrid(store, 1);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        ValueTask<InputDisposition> refused = m.OnOrderUpdateAsync(Fill("E0", 1m), canceled.Token); // a canceled task, not a throw
        Assert.True(refused.IsCanceled);
        Assert.True(m.OnOrderUpdatesAsync([Fill("E0", 1m)], canceled.Token).AsTask().IsCanceled);
        Assert.True(m.ApplyActionResultsAsync([], canceled.Token).AsTask().IsCanceled);
        Assert.True(m.ClaimSlotsAsync([ClaimRequest.Place(200m, OrderSide.Buy, 200m, 1m)], canceled.Token).AsTask().IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refused.AsTask());
        Assert.Equal(0m, m.GetSlot(100m)!.Inventory);
        Assert.Null(m.GetSlot(200m));

        var slowDisk = new TaskCompletionSource();
        store.Gate = slowDisk.Task;
        using var impatient = new CancellationTokenSource();
        Task<InputDisposition> waiting = m.OnOrderUpdateAsync(Fill("E0", 2m), impatient.Token).AsTask();
        await store.GatedAppendBegan.Task.WaitAsync(s_patience);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(s_patience));

        slowDisk.SetResult(); // the update was applied before the wait was canceled, and still reaches the disk
        Assert.Equal(InputDisposition.Duplicate, await m.OnOrderUpdateAsync(Fill("E0", 2m)).AsTask().WaitAsync(s_patience));
        Assert.Equal(InputDisposition.Applied, await m.OnOrderUpdateAsync(Fill("E0", 3m)).AsTask().WaitAsync(s_patience)); // durable after the stuck flush
        Assert.Equal([0m, 2m, 3m], store.Records.Where(r => r.Slot.Price.ToDecimal() == 100m).Select(r => r.Slot.Inventory.ToDecimal()).Distinct());
    }

    [Fact]
    public async Task WithoutAJournal_AnAwaitedCallCompletesAtOnce()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string id = grid.Place(action);

        ValueTask<InputDisposition> awaited = grid.Manager.OnOrderUpdateAsync(TestGrid.Make(action, id, OrderStatus.PartiallyFilled, 1m));

        Assert.True(awaited.IsCompletedSuccessfully);
        Assert.Equal(InputDisposition.Applied, await awaited);
    }
}
