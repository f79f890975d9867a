using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>Routing's accounting: re-drives counted once each across a batch, and parked updates restored from a snapshot still expire.</summary>
public class RoutingRulesTests
{
    [Fact]
    public void ParkedUpdatesFreedByOneBatch_AreEachCountedAsRedrivenOnce()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m), b = grid.ClaimOpen(99m), c = grid.ClaimOpen(98m);
        foreach (string id in new[] { "X1", "X2", "X3" })
        {
            Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = id, Status = OrderStatus.New }));
        }

        grid.Manager.ApplyActionResults([OrderActionResult.Placed(a, "X1"), OrderActionResult.Placed(b, "X2"), OrderActionResult.Placed(c, "X3")]);

        Assert.Equal((3L, 0), (grid.Manager.Counters.UpdatesRedriven, grid.Manager.ParkedUpdateCount));
        grid.AssertInvariants();
    }

    [Fact]
    public void AParkedUpdateRestoredFromASnapshot_ExpiresOnTheNextUpdate_EvenOneForALiveOrder()
    {
        var grid = new TestGrid();
        OrderAction live = grid.ClaimOpen(100m);
        grid.Place(live, "LIVE");
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New });
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        grid.Time.Advance(grid.Options.ParkedUpdateTimeToLive + TimeSpan.FromSeconds(1));
        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);

        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(TestGrid.Make(live, "LIVE", OrderStatus.PartiallyFilled, 0.5m)));

        Assert.Equal((1L, 0), (restored.Counters.UpdatesExpired, restored.ParkedUpdateCount));
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void ParkedUpdatesRestoredFromASnapshot_AreCountedAtOnce()
    {
        var grid = new TestGrid();
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY-1", Status = OrderStatus.New });
        grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "early-2", Status = OrderStatus.New });

        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);

        Assert.Equal(2, restored.ParkedUpdateCount); // read without the lock: the restore must publish it
    }
}
