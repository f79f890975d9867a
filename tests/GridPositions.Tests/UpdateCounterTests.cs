namespace GridPositions.Tests;

/// <summary>
/// The update counters are kept by each slot under its own lock and added up on read: they must count exactly what the
/// manager's outcomes say, across slots and threads, and survive a snapshot as the single numbers users see.
/// </summary>
public class UpdateCounterTests
{
    [Fact]
    public void EveryOutcomeOfAnUpdate_IsCountedOnce_WhicheverSlotAppliedIt()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m, 2m);
        string aId = grid.Place(a);
        OrderAction b = grid.ClaimOpen(101m, 2m);
        string bId = grid.Place(b);

        Assert.Equal(InputDisposition.Applied, grid.Update(a, aId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(a, aId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Rejected, grid.Update(b, bId, OrderStatus.PartiallyFilled, 3m)); // overfill
        Assert.Equal(InputDisposition.Applied, grid.Update(b, bId, OrderStatus.Filled, 2m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(b, bId, OrderStatus.Filled, 2m)); // the finished order's echo

        OrderAction close = grid.ClaimClose(101m, 102m, 2m);
        string closeId = grid.Place(close);
        Assert.Equal(InputDisposition.Applied, grid.Update(close, closeId, OrderStatus.Filled, 2m));
        OrderAction again = grid.ClaimOpen(101m, 1m);
        grid.Place(again);
        Assert.Equal(InputDisposition.Stale, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = bId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));

        ManagerCounters counters = grid.Manager.Counters;
        Assert.Equal(3, counters.UpdatesApplied);
        Assert.Equal(2, counters.UpdatesDuplicate);
        Assert.Equal(1, counters.UpdatesStale);
        Assert.Equal(1, counters.UpdatesRejected);
        Assert.Equal(1, counters.Overfills);
        Assert.Equal(3, counters.FillsApplied);
        Assert.Equal(1, counters.RoundTripsCompleted);
    }

    [Fact]
    public void RestoredCounters_ReadAsTheSnapshotHadThem_AndCountOnFromThere()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m, 3m);
        string aId = grid.Place(a);
        grid.Update(a, aId, OrderStatus.PartiallyFilled, 1m);
        grid.Update(a, aId, OrderStatus.PartiallyFilled, 1m);
        ManagerCounters before = grid.Manager.Counters;

        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);
        Assert.Equal(before, restored.Counters);

        restored.OnOrderUpdate(TestGrid.Make(a, aId, OrderStatus.PartiallyFilled, 2m));
        Assert.Equal(before with { UpdatesApplied = before.UpdatesApplied + 1, FillsApplied = before.FillsApplied + 1 }, restored.Counters);
        Assert.Equal(before, grid.Manager.Counters); // the original's slots keep their own counts
    }

    [Fact]
    public async Task UpdatesFromManyThreads_OnSharedAndSeparateSlots_AreAllCounted()
    {
        const int Levels = 4, PerThread = 2_000, Threads = 4;
        var grid = new TestGrid();
        var orders = new (OrderAction Action, string Id)[Levels];
        for (int i = 0; i < Levels; i++)
        {
            OrderAction action = grid.ClaimOpen(100m + i, 1_000_000m);
            orders[i] = (action, grid.Place(action));
        }

        // Each thread repeats the same reports (so two threads on a level race to book the same growth): whatever
        // wins, every update ends in exactly one outcome and the fills counted are the growths booked.
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (int k = 1; k <= PerThread; k++)
            {
                (OrderAction action, string id) = orders[(t + k) % Levels];
                grid.Manager.OnOrderUpdate(TestGrid.Make(action, id, OrderStatus.PartiallyFilled, k));
            }
        })));

        ManagerCounters counters = grid.Manager.Counters;
        Assert.Equal(Threads * PerThread, counters.UpdatesApplied + counters.UpdatesDuplicate + counters.UpdatesStale + counters.UpdatesRejected);
        Assert.Equal(counters.UpdatesApplied, counters.FillsApplied);
        Assert.Equal(0, counters.UpdatesRejected);
        grid.AssertInvariants();
    }
}
