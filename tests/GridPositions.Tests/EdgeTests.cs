namespace GridPositions.Tests;

/// <summary>Edges the mutation run showed no test reached: later round trips, exact rests, adjustments, capacities, boundaries.</summary>
public class EdgeTests
{
    [Fact]
    public async Task ASecondRoundTrip_ReportsOnlyItsOwnQuantityCostAndProfit()
    {
        var grid = new TestGrid();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.RoundTripCompleted += (_, e) => { lock (trips) { trips.Add(e); } };
        for (int trip = 0; trip < 2; trip++)
        {
            grid.OpenFilled(100m, 1m + trip, fee: 0.1m);
            OrderAction close = grid.ClaimClose(100m, 102m, 1m + trip);
            grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m + trip, quote: 102m * (1m + trip), fee: 0.1m);
        }

        await grid.Manager.FlushEventsAsync();

        Assert.Equal(2, trips.Count);
        RoundTripCompletedEventArgs second = trips[1];
        Assert.Equal((2L, 2m, 200m, 204m, 0.2m, 3.8m), (second.Number, second.Quantity, second.EntryNotional, second.ExitNotional, second.Fees, second.RealizedPnl));
        Assert.Equal(1.8m + 3.8m, grid.Slot(100m).RealizedPnl);
    }

    [Fact]
    public void ClosingExactlyTheInventory_TakesTheExactRestOfItsCost_EvenBeyondTwelveDecimals()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 3m);
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 3m, quote: 300.0000000000000001m, fee: 0.0000000000000003m);
        OrderAction part = grid.ClaimClose(100m, 101m, 1m);
        grid.Update(part, grid.Place(part), OrderStatus.Filled, 1m, quote: 101m);
        OrderAction rest = grid.ClaimClose(100m, 101m, 2m);

        grid.Update(rest, grid.Place(rest), OrderStatus.Filled, 2m, quote: 202m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal((0m, 0m, 0m), (slot.Inventory, slot.EntryNotional, slot.EntryFees));
        Assert.Equal(303m - 300.0000000000000001m - 0.0000000000000003m, slot.RealizedPnl);
        grid.AssertInvariants();
    }

    [Fact]
    public async Task AdjustingToTheExchange_WritesOffAShare_AndAFlatAdjustmentStartsTheNextRoundTripAfresh()
    {
        var grid = new TestGrid();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.RoundTripCompleted += (_, e) => { lock (trips) { trips.Add(e); } };
        grid.OpenFilled(100m, 3m, fee: 0.3m);
        OrderAction part = grid.ClaimClose(100m, 101m, 1m);
        grid.Update(part, grid.Place(part), OrderStatus.Filled, 1m, quote: 101m); // a partial close: no round trip yet

        grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 1m)).Lease!.Dispose(); // the exchange holds half of the 2 left
        Assert.Equal((1m, 100m, 0.1m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional, grid.Slot(100m).EntryFees));
        Assert.Equal(CloseStatus.AlreadyFlat, grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m)).Status);
        Assert.Equal((0m, 0m, 0m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional, grid.Slot(100m).EntryFees));

        grid.OpenFilled(100m, 1m);
        OrderAction close = grid.ClaimClose(100m, 105m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, quote: 105m);
        await grid.Manager.FlushEventsAsync();

        RoundTripCompletedEventArgs trip = Assert.Single(trips); // the adjusted one was no round trip
        Assert.Equal((1m, 100m, 105m, 5m), (trip.Quantity, trip.EntryNotional, trip.ExitNotional, trip.RealizedPnl));
        grid.AssertInvariants();
    }

    [Fact]
    public void FinishedOrders_AreRememberedUpToTheCapacity_ThenTheOldestIsForgotten()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m, RetiredOrderCapacity = 2, ParkedUpdateCapacity = 4 });
        var ids = new List<string>();
        for (int level = 100; level < 103; level++)
        {
            ids.Add(grid.OpenFilled(level).OrderId);
        }

        // Each slot still knows its own last order, so ask by exchange id on another slot's level: only the index can route it.
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = ids[0], Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = ids[1], Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = ids[2], Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
    }

    [Fact]
    public void TheSpanOverload_RefusesTooFewOutcomes_AndTheListOverloadRefusesNull()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m), b = grid.ClaimOpen(101m);
        OrderActionResult[] results = [OrderActionResult.Placed(a, "A"), OrderActionResult.Placed(b, "B")];

        Assert.Throws<ArgumentException>("outcomes", () => grid.Manager.ApplyActionResults(results, new ResultOutcome[1]));
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        Assert.Throws<ArgumentNullException>("results", () => grid.Manager.ApplyActionResults(null!));
        var exact = new ResultOutcome[2];
        grid.Manager.ApplyActionResults(results, exact);
        Assert.All(exact, o => Assert.Equal(InputDisposition.Applied, o.Disposition));
    }

    [Fact]
    public void AnAmbiguousResult_IsAmbiguousFromWhenItCame_NotFromTheClaim()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Time.Advance(TimeSpan.FromSeconds(20));
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]); // ambiguous from here
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(1));

        ReconciliationReport report = grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), []));

        Assert.Equal(FindingKind.Deferred, Assert.Single(report.Findings).Kind);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);
    }

    [Fact]
    public void AnUpdateParkedByItsClientId_IsReDrivenByTheClaimThatChoosesThatId()
    {
        var grid = new TestGrid();
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "mine-1", Status = OrderStatus.New }));

        OrderAction claim = grid.Claim(ClaimRequest.Place(100m, grid.Opening, 100m, 1m, "mine-1"));

        Assert.Equal("mine-1", claim.ClientOrderId);
        Assert.Equal((0, 1L), (grid.Manager.ParkedUpdateCount, grid.Manager.Counters.UpdatesRedriven));
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status); // the NEW update said the exchange has it
        grid.AssertInvariants();
    }

    [Fact]
    public void TheAmountBound_IsInclusive_AtBothSigns()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m });
        grid.OpenFilled(100m);

        ReconciliationReport atBound = grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), [], Position: SuperPositionManager.MaxAmount));
        Assert.Equal(SuperPositionManager.MaxAmount - 1m, atBound.PositionDrift);
        grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), [], Position: -SuperPositionManager.MaxAmount));
        Assert.Throws<ArgumentException>("exchange", () => grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), [], Position: SuperPositionManager.MaxAmount + 1m)));
        Assert.Throws<ArgumentException>("exchange", () => grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), [], Position: -SuperPositionManager.MaxAmount - 1m)));
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Place(1m, OrderSide.Buy, 1m, SuperPositionManager.MaxAmount)).IsAccepted); // price 1 x the bound
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(2m, OrderSide.Buy, 2m, SuperPositionManager.MaxAmount)).Rejection);
    }
}
