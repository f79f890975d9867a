using GridPositions.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests.Persistence;

public class JournalTests
{
    private static readonly PositionManagerOptions s_options = new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, CheckpointEveryRecords = 0 };

    [Fact]
    public void AClaimIsInTheStoreBeforeClaimSlotsReturns()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);

        OrderAction action = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;

        JournalRecord last = store.Records[^1];
        Assert.Equal(action.ClientOrderId, last.Slot.Order.ClientOrderId);
        Assert.Equal(SlotStatus.PendingPlace, last.Slot.Status);
    }

    [Fact]
    public void RecordsAreNumberedConsecutively_AndEachSlotsRecordsCarryIncreasingVersions()
    {
        var store = new MemoryStore(Durability.EveryRecord);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);
        OrderAction a = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(a, "X1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "X1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });

        Assert.Equal(Enumerable.Range(1, store.Records.Count).Select(i => (ulong)i), store.Records.Select(r => r.Sequence));
        Assert.Equal([1L, 2L, 3L], store.Records.Select(r => r.Slot.Version));
        Assert.Equal(store.Records.Count, store.Flushes); // every record flushed on its own
    }

    [Fact]
    public async Task GroupCommit_CallersThatArriveDuringAFlush_ShareTheNextOne()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);
        var slowDisk = new TaskCompletionSource();
        store.Gate = slowDisk.Task;
        const int callers = 8;
        Task Claim(int i) => Task.Factory.StartNew(() => m.ClaimSlot(ClaimRequest.Place(100m + i, OrderSide.Buy, 100m + i, 1m)), TaskCreationOptions.LongRunning);

        // Gates, not timing: the first caller's flush has taken its one record and is stuck on the disk before the
        // others claim, so theirs can only queue behind it.
        Task first = Claim(0);
        Assert.Equal(1, await store.GatedAppendBegan.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        Task[] claims = [first, .. Enumerable.Range(1, callers - 1).Select(Claim)];

        // A claimed slot shows PendingPlace only once the claim's lock section, which records it, is over.
        while (m.GetSlots().Count(s => s.Status == SlotStatus.PendingPlace) < callers)
        {
            await Task.Yield(); // every claim is recorded in memory; the first caller's flush is stuck on the disk
        }

        Assert.All(claims, c => Assert.False(c.IsCompleted)); // none is acknowledged before its record is on disk
        slowDisk.SetResult();
        await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(callers, store.Records.Count);
        Assert.Equal(2, store.Flushes); // the stuck one, then one for the seven that queued behind it
        Assert.Equal(Enumerable.Range(1, callers).Select(i => (ulong)i), store.Records.Select(r => r.Sequence));
    }

    [Fact]
    public void AFailedWrite_IsReportedToTheCaller_AndPoisonsLaterDurability()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);
        m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        store.Fail = true;

        var error = Assert.Throws<PersistenceFailedException>(() => m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)));
        Assert.Contains("disk full", error.InnerException!.Message, StringComparison.Ordinal);

        store.Fail = false;
        Assert.Throws<PersistenceFailedException>(() => m.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m)));
    }
    [Fact]
    public void AfterAFailedWrite_NothingMoreReachesTheStore_AndEveryCallerIsToldToReopen()
    {
        var store = new MemoryStore(Durability.GroupCommit);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);
        m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        int written = store.Records.Count;
        store.Fail = true;
        Assert.Throws<PersistenceFailedException>(() => m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)));
        store.Fail = false;

        var later = Assert.Throws<PersistenceFailedException>(() => m.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m)));

        Assert.Equal($"The journal could not be written (durable up to sequence {written}); reopen the manager from its store.", later.Message);
        Assert.Equal(written, store.Records.Count); // a poisoned journal writes nothing more: what follows the gap could not be replayed
        Assert.Throws<PersistenceFailedException>(() => m.Checkpoint());
        Assert.Equal(written, store.Records.Count);
    }
}
