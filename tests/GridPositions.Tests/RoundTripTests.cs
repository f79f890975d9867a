namespace GridPositions.Tests;

public class RoundTripTests
{
    [Fact]
    public void ClosingOrder_BelongsToTheFilledSlot_ThoughItsPriceIsAnotherLevel()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        OrderAction close = grid.ClaimClose(100m, 101m, 1m);
        string closeId = grid.Place(close);

        // The level the closing order rests at is untouched and can run its own order meanwhile.
        Assert.Null(grid.Manager.GetSlot(101m));
        OrderAction neighbour = grid.ClaimOpen(101m);
        Assert.Equal(OrderRole.Open, grid.Slot(101m).Order!.Role);

        grid.Update(close, closeId, OrderStatus.Filled, 1m);

        SlotView owner = grid.Slot(100m);
        Assert.Equal(0m, owner.Inventory);
        Assert.Equal(1m, owner.RealizedPnl);
        Assert.Equal(1, owner.RoundTrips);
        SlotView level101 = grid.Slot(101m);
        Assert.Equal(0m, level101.RealizedPnl);
        Assert.Equal(neighbour.ClaimToken, level101.Order!.ClaimToken);
        grid.AssertInvariants();
    }

    [Fact]
    public void LongRoundTrip_RealisesExitMinusEntryMinusBothFees_Exactly()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 0.3m);
        string openId = grid.Place(open);
        grid.Update(open, openId, OrderStatus.Filled, 0.3m, quote: 30.003m, fee: 0.012m);
        OrderAction close = grid.ClaimClose(100m, 100.7m, 0.3m);
        string closeId = grid.Place(close);

        grid.Update(close, closeId, OrderStatus.Filled, 0.3m, quote: 30.21m, fee: 0.0121m);

        Assert.Equal(30.21m - 30.003m - 0.012m - 0.0121m, grid.Slot(100m).RealizedPnl);
    }

    [Fact]
    public void ShortRoundTrip_RealisesEntryMinusExitMinusFees()
    {
        var grid = new TestGrid(GridDirection.Short);
        Assert.Equal(OrderSide.Sell, grid.Opening);
        OrderAction open = grid.ClaimOpen(100m, 2m);
        string openId = grid.Place(open);
        grid.Update(open, openId, OrderStatus.Filled, 2m, quote: 200m, fee: 0.2m);
        OrderAction close = grid.ClaimClose(100m, 99m, 2m);
        Assert.Equal(OrderSide.Buy, close.Side);
        string closeId = grid.Place(close);

        grid.Update(close, closeId, OrderStatus.Filled, 2m, quote: 198m, fee: 0.19m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(2m - 0.2m - 0.19m, slot.RealizedPnl);
        Assert.Equal(0m, slot.Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void ShortGrid_ClosingWithABuy_CannotOversell()
    {
        var grid = new TestGrid(GridDirection.Short);
        grid.OpenFilled(100m, 1m);
        Assert.Equal(ClaimRejection.WouldOversell, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 99m, 2m)).Rejection);
    }

    [Fact]
    public void PnlIsComputedOncePerFilledQuantity_DuplicateAndReorderedCloseFillsChangeNothing()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 2m);
        OrderAction close = grid.ClaimClose(100m, 102m, 2m);
        string closeId = grid.Place(close);

        grid.Update(close, closeId, OrderStatus.PartiallyFilled, 1m);
        grid.Update(close, closeId, OrderStatus.PartiallyFilled, 1m);
        grid.Update(close, closeId, OrderStatus.Filled, 2m);
        grid.Update(close, closeId, OrderStatus.PartiallyFilled, 1m);
        grid.Update(close, closeId, OrderStatus.Filled, 2m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(4m, slot.RealizedPnl);
        Assert.Equal(1, slot.RoundTrips);
        Assert.Equal(1, grid.Manager.Counters.RoundTripsCompleted);
    }

    [Fact]
    public void PartialCloses_RealiseProRata_AndTheLastCloseMakesTheRoundTripExact()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 3m);
        string openId = grid.Place(open);
        grid.Update(open, openId, OrderStatus.Filled, 3m, quote: 300.01m, fee: 0.07m);
        OrderAction close = grid.ClaimClose(100m, 101m, 3m);
        string closeId = grid.Place(close);

        grid.Update(close, closeId, OrderStatus.PartiallyFilled, 1m, quote: 101m, fee: 0.01m);
        decimal afterFirst = grid.Slot(100m).RealizedPnl;
        grid.Update(close, closeId, OrderStatus.PartiallyFilled, 2.5m, quote: 252.5m, fee: 0.03m);
        grid.Update(close, closeId, OrderStatus.Filled, 3m, quote: 303.02m, fee: 0.04m);

        // A pro-rata share of entry cost is rounded to 12 places; the flattening close takes the exact rest.
        Assert.Equal(101m - Math.Round(300.01m / 3, 12) - Math.Round(0.07m / 3, 12) - 0.01m, afterFirst);
        Assert.Equal(303.02m - 300.01m - 0.07m - 0.04m, grid.Slot(100m).RealizedPnl);
        Assert.Equal(0m, grid.Slot(100m).EntryNotional);
        grid.AssertInvariants();
    }

    [Fact]
    public void PartialClosesWithSharesThatDoNotDivideEvenly_KeepTheInvariants_AndTheSnapshotRestores()
    {
        var grid = new TestGrid(GridDirection.Short);
        OrderAction open = grid.ClaimOpen(111.5m, 3m);
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 3m, quote: 334.5m, fee: 0.68m);
        foreach ((decimal exit, decimal fee) in new[] { (115.92m, 0.973m), (114.02m, 0.601m), (109.3m, 0.371m) })
        {
            OrderAction close = grid.ClaimClose(111.5m, exit, 1m);
            grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, quote: exit, fee: fee);
            grid.AssertInvariants();
            SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time).CheckInvariants().ThrowIfViolated();
        }

        Assert.Equal(-(339.24m - 334.5m) - (0.68m + 0.973m + 0.601m + 0.371m), grid.Slot(111.5m).RealizedPnl);
    }

    [Fact]
    public void PartialCloseThenCancel_KeepsTheRestOpen_AndASecondCloseCompletesTheTrip()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 2m);
        OrderAction close = grid.ClaimClose(100m, 101m, 2m);
        string closeId = grid.Place(close);
        grid.Update(close, closeId, OrderStatus.Canceled, 0.5m);

        Assert.Equal(1.5m, grid.Slot(100m).Inventory);
        Assert.Equal(0, grid.Slot(100m).RoundTrips);

        OrderAction rest = grid.ClaimClose(100m, 100.5m, 1.5m);
        grid.Update(rest, grid.Place(rest), OrderStatus.Filled, 1.5m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(0.5m + 0.75m, slot.RealizedPnl);
        Assert.Equal(1, slot.RoundTrips);
    }

    [Fact]
    public async Task RoundTripCompleted_ReportsTheWholeTrip()
    {
        var grid = new TestGrid();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.RoundTripCompleted += (_, e) => { lock (trips) { trips.Add(e); } };
        grid.OpenFilled(100m, 1m, fee: 0.05m);
        OrderAction close = grid.ClaimClose(100m, 103m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, fee: 0.06m);

        await grid.Manager.FlushEventsAsync();

        RoundTripCompletedEventArgs trip = Assert.Single(trips);
        Assert.Equal(100m, trip.SlotPrice);
        Assert.Equal(1m, trip.Quantity);
        Assert.Equal(100m, trip.EntryNotional);
        Assert.Equal(103m, trip.ExitNotional);
        Assert.Equal(0.11m, trip.Fees);
        Assert.Equal(2.89m, trip.RealizedPnl);
        Assert.Equal(1, trip.Number);
    }

    [Fact]
    public void Totals_SumEverySlot()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        grid.OpenFilled(99m, 2m);
        OrderAction close = grid.ClaimClose(100m, 101m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);

        PositionTotals totals = grid.Manager.GetTotals();

        Assert.Equal(2m, totals.Inventory);
        Assert.Equal(198m, totals.EntryNotional);
        Assert.Equal(1m, totals.RealizedPnl);
        Assert.Equal(1, totals.RoundTrips);
    }
}
