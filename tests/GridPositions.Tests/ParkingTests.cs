namespace GridPositions.Tests;

public class ParkingTests
{
    private static OrderUpdate ByOrderIdOnly(string orderId, OrderStatus status, decimal cumulative) =>
        new() { OrderId = orderId, Status = status, CumulativeFilledQuantity = cumulative };

    [Fact]
    public void UpdateMatchingNothing_IsParked_ThenReDrivenWhenThePlaceResultIndexesItsOrderId()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);

        // This exchange's stream carries only its own id, and it beat the REST result.
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(ByOrderIdOnly("X1", OrderStatus.PartiallyFilled, 1.5m)));
        Assert.Equal(1, grid.Manager.ParkedUpdateCount);
        Assert.Equal(0m, grid.Slot(100m).Inventory);

        grid.Place(action, "X1");

        Assert.Equal(0, grid.Manager.ParkedUpdateCount);
        Assert.Equal(1.5m, grid.Slot(100m).Inventory);
        ManagerCounters counters = grid.Manager.Counters;
        Assert.Equal(1, counters.UpdatesParked);
        Assert.Equal(1, counters.UpdatesRedriven);
        Assert.Equal(1, counters.UpdatesApplied);
        grid.AssertInvariants();
    }

    [Fact]
    public void ParkedUpdates_AreReDrivenInArrivalOrder()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        grid.Manager.OnOrderUpdate(ByOrderIdOnly("X1", OrderStatus.PartiallyFilled, 0.5m));
        grid.Manager.OnOrderUpdate(ByOrderIdOnly("X1", OrderStatus.Filled, 2m));

        grid.Place(action, "X1");

        Assert.Equal(2m, grid.Slot(100m).Inventory);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        Assert.Equal(2, grid.Manager.Counters.FillsApplied);
    }

    [Fact]
    public async Task ParkedUpdate_ExpiresAfterItsTimeToLive_WithACountedVisibleOutcome()
    {
        var grid = new TestGrid();
        var expired = new List<UpdateExpiredEventArgs>();
        grid.Manager.UpdateExpired += (_, e) => { lock (expired) { expired.Add(e); } };
        grid.Manager.OnOrderUpdate(ByOrderIdOnly("FOREIGN", OrderStatus.New, 0m));

        grid.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, grid.Manager.ExpireParkedUpdates());
        grid.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, grid.Manager.ExpireParkedUpdates());

        Assert.Equal(0, grid.Manager.ParkedUpdateCount);
        Assert.Equal(1, grid.Manager.Counters.UpdatesExpired);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal("FOREIGN", Assert.Single(expired).Update.OrderId);
        grid.AssertInvariants();
    }

    [Fact]
    public void ParkedUpdate_ExpiresOnTheNextUpdateOnceOld()
    {
        var grid = new TestGrid();
        grid.Manager.OnOrderUpdate(ByOrderIdOnly("FOREIGN", OrderStatus.New, 0m));
        grid.Time.Advance(TimeSpan.FromMinutes(1));

        grid.Manager.OnOrderUpdate(ByOrderIdOnly("OTHER", OrderStatus.New, 0m));

        Assert.Equal(1, grid.Manager.Counters.UpdatesExpired);
        Assert.Equal(1, grid.Manager.ParkedUpdateCount);
    }

    [Fact]
    public void ParkingBuffer_IsBounded_TheOldestExpiresWhenFull()
    {
        var grid = new TestGrid(); // capacity 8
        for (int i = 0; i < 10; i++)
        {
            grid.Manager.OnOrderUpdate(ByOrderIdOnly("F" + i, OrderStatus.New, 0m));
        }

        Assert.Equal(8, grid.Manager.ParkedUpdateCount);
        Assert.Equal(2, grid.Manager.Counters.UpdatesExpired);
        Assert.Equal(10, grid.Manager.Counters.UpdatesParked);
        grid.AssertInvariants();
    }

    [Fact]
    public async Task ParkingBuffer_WhenFull_EvictsTheOldest_CountedRaisedAndNeverReDriven()
    {
        var grid = new TestGrid(); // capacity 8
        var expired = new List<UpdateExpiredEventArgs>();
        grid.Manager.UpdateExpired += (_, e) => { lock (expired) { expired.Add(e); } };
        OrderAction[] claims = [.. Enumerable.Range(0, 10).Select(i => grid.ClaimOpen(100m + i))];
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(ByOrderIdOnly("E" + i, OrderStatus.New, 0m)));
        }

        // The two oldest were evicted when the buffer filled: counted, raised, and gone for good.
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(["E0", "E1"], expired.Select(e => e.Update.OrderId));
        Assert.Equal((10L, 2L, 0L), (grid.Manager.Counters.UpdatesParked, grid.Manager.Counters.UpdatesExpired, grid.Manager.Counters.UpdatesRedriven));
        grid.AssertInvariants();

        // Their orders' ids appear: only the eight still parked are re-driven.
        for (int i = 0; i < 10; i++)
        {
            grid.Place(claims[i], "E" + i);
        }

        Assert.Equal((0, 8L), (grid.Manager.ParkedUpdateCount, grid.Manager.Counters.UpdatesRedriven));
        Assert.Equal(8, grid.Manager.Counters.UpdatesDuplicate); // each re-driven NEW repeats what its place result said
        grid.AssertInvariants();
    }

    [Fact]
    public void ParkedUpdateForAnOrderThatFinishesMeanwhile_IsReDrivenAsADuplicate_NotLeftToExpire()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        grid.Manager.OnOrderUpdate(ByOrderIdOnly("X1", OrderStatus.PartiallyFilled, 1m));

        grid.Update(action, "X1", OrderStatus.Filled, 2m); // both ids: routes by client id, teaches X1, finishes

        Assert.Equal(0, grid.Manager.ParkedUpdateCount);
        Assert.Equal(2m, grid.Slot(100m).Inventory);
        Assert.Equal(1, grid.Manager.Counters.UpdatesDuplicate);
        Assert.Equal(0, grid.Manager.Counters.UpdatesExpired);
        grid.AssertInvariants();
    }
}
