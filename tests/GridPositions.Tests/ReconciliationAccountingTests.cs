namespace GridPositions.Tests;

/// <summary>
/// What a reconciliation books is accounted for like any input (counters, round trips), its findings say what they
/// found, an adopted order routes like any other, and drift is signed by the grid's direction.
/// </summary>
public class ReconciliationAccountingTests
{
    private static ReconciliationReport Reconcile(TestGrid grid, IReadOnlyList<ExchangeOrder> open, IReadOnlyList<ExchangeOrder>? closed = null, decimal? position = null)
    {
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        return grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), open, closed ?? [], position));
    }

    [Fact]
    public void AMissedClosingFill_IsCountedLikeAnUpdate_AndCompletesItsRoundTrip()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        OrderAction close = grid.ClaimClose(100m, 101m);
        string orderId = grid.Place(close);
        ManagerCounters before = grid.Manager.Counters;

        ReconciliationReport report = Reconcile(grid, [], closed: [new ExchangeOrder(orderId, close.ClientOrderId, OrderSide.Sell, 101m, 1m, OrderStatus.Filled, 1m)]);

        Assert.Equal([FindingKind.MissedFill, FindingKind.FinishedOnExchange], report.Findings.Select(f => f.Kind));
        Assert.Contains("booked 1 filled", report.Findings[0].Detail, StringComparison.Ordinal);
        Assert.Contains("(0 -> 1)", report.Findings[0].Detail, StringComparison.Ordinal);
        Assert.Contains("finished Filled with 1 filled", report.Findings[1].Detail, StringComparison.Ordinal);
        ManagerCounters after = grid.Manager.Counters;
        Assert.Equal((1L, 1L, 1L), (after.UpdatesApplied - before.UpdatesApplied, after.FillsApplied - before.FillsApplied, after.RoundTripsCompleted - before.RoundTripsCompleted));
        Assert.Equal((0m, 1L, 1m), (grid.Slot(100m).Inventory, grid.Slot(100m).RoundTrips, grid.Slot(100m).RealizedPnl));
        grid.AssertInvariants();
    }

    [Fact]
    public async Task ARefusedReport_IsInconsistent_CountedRejected_Surfaced_AndChangesNothing()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => rejected.Add(e);
        OrderAction open = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(open);
        grid.Update(open, orderId, OrderStatus.PartiallyFilled, 1m, quote: 100m);

        // The exchange says more was filled, for less notional than already booked: the slot cannot take it.
        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder(orderId, open.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.PartiallyFilled, 2m, CumulativeQuoteQuantity: 50m)]);

        ReconciliationFinding finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Inconsistent, finding.Kind);
        Assert.Contains("the exchange's report was refused", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(1, grid.Manager.Counters.UpdatesRejected);
        Assert.Equal(1m, grid.Slot(100m).Inventory);
        await grid.Manager.FlushEventsAsync();
        InputRejectedEventArgs e = Assert.Single(rejected);
        Assert.Equal((orderId, 2m), (e.Update?.OrderId, e.Update?.CumulativeFilledQuantity));
        Assert.Contains(e.Reason, finding.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdoptedOrderWhoseFillCannotBeBooked_IsStillOwned_AndTheRefusalIsCountedAndSurfaced()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => rejected.Add(e);

        // Ours and open, with 1 filled for no notional: the slot takes the order (it must not be orphaned) but not the fill.
        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder("ADOPT", "gp-adopted", OrderSide.Buy, 100m, 2m, OrderStatus.PartiallyFilled, 1m, CumulativeQuoteQuantity: 0m)]);

        ReconciliationFinding adopted = Assert.Single(report.Findings, f => f.Kind == FindingKind.Adopted);
        Assert.Equal("an open order of ours no slot knew; slot 100.00 adopted it, but refused its report: order gp-adopted: cumulative notional went from 0 to 0 while the fill grew to 1", adopted.Detail);
        Assert.Equal(("gp-adopted", 0m), (grid.Slot(100m).Order!.ClientOrderId, grid.Slot(100m).Inventory));
        Assert.Equal(1, grid.Manager.Counters.UpdatesRejected);
        await grid.Manager.FlushEventsAsync();
        InputRejectedEventArgs e = Assert.Single(rejected);
        Assert.Equal(("gp-adopted", 1m), (e.Update?.ClientOrderId, e.Update?.CumulativeFilledQuantity));
        Assert.StartsWith("order gp-adopted: cumulative notional went from 0 to 0", e.Reason, StringComparison.Ordinal);
        grid.AssertInvariants();
    }

    [Fact]
    public void AnOrderThatMatchesItsSlot_IsAccountedFor_AndReportsNothing()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(open);

        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder(orderId, open.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.New, 0m)], position: 0m);

        Assert.Empty(report.Findings);
        Assert.Empty(report.CancelsToIssue);
        Assert.Equal(0m, report.PositionDrift);
    }

    [Fact]
    public void AnAdoptedOrder_RoutesByItsClientIdAlone_AndGetsAFreshToken()
    {
        var grid = new TestGrid();
        long before = grid.ClaimOpen(99m).ClaimToken;

        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder("ADOPT", "gp-adopted", OrderSide.Buy, 100m, 2m, OrderStatus.New, 0m)]);

        Assert.Equal(FindingKind.Adopted, Assert.Single(report.Findings, f => f.Kind != FindingKind.Deferred).Kind);
        Assert.True(grid.Slot(100m).Order!.ClaimToken > before);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "gp-adopted", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(1m, grid.Slot(100m).Inventory);
        Assert.Equal(1, grid.Manager.Counters.FillsApplied);
        grid.AssertInvariants();
    }

    [Fact]
    public void AFinishedOrderOfOursThatNoSlotKnew_IsReported_ButNotCancelled()
    {
        var grid = new TestGrid();

        ReconciliationReport report = Reconcile(grid, [], closed: [new ExchangeOrder("OLD", "gp-old", OrderSide.Buy, 100m, 1m, OrderStatus.Filled, 1m)]);

        ReconciliationFinding finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.UnattributedOwnOrder, finding.Kind);
        Assert.Contains("finished Filled with 1 filled", finding.Detail, StringComparison.Ordinal);
        Assert.Empty(report.CancelsToIssue);
        Assert.Empty(grid.Manager.GetSlots());
    }

    [Fact]
    public void AnOpenOrderOfOursThatNoSlotCanOwn_IsACancelToIssue()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m); // the level is not flat: it cannot adopt an opening order

        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder("STRAY", "gp-stray", OrderSide.Buy, 100m, 1m, OrderStatus.New, 0m)]);

        Assert.Equal(FindingKind.UnattributedOwnOrder, Assert.Single(report.Findings).Kind);
        Assert.Contains("no slot can own it; cancel it", report.Findings[0].Detail, StringComparison.Ordinal);
        OrderAction cancel = Assert.Single(report.CancelsToIssue);
        Assert.Equal((OrderActionType.Cancel, "STRAY", "gp-stray", 0L), (cancel.Type, cancel.OrderId, cancel.ClientOrderId, cancel.ClaimToken));
    }

    [Theory]
    [InlineData(GridDirection.Long, 2, 1)]
    [InlineData(GridDirection.Short, -2, -1)]
    public void PositionDrift_IsTheExchangesPositionMinusTheSlotsSignedInventory(GridDirection direction, int exchange, int drift)
    {
        var grid = new TestGrid(direction);
        grid.OpenFilled(100m); // 1 held: +1 on a long grid, -1 on a short one

        ReconciliationReport report = Reconcile(grid, [], position: exchange);

        Assert.Equal(drift, report.PositionDrift);
        ReconciliationFinding finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.PositionDrift, finding.Kind);
        Assert.Contains($"the exchange holds {exchange}, the slots {exchange - drift} (drift {drift})", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(0m, Reconcile(grid, [], position: exchange - drift).PositionDrift);
    }

    [Fact]
    public void PositionDrift_SaysHowManySlotsWereDeferred()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        grid.ClaimOpen(101m); // its place result has not arrived: deferred

        ReconciliationReport report = Reconcile(grid, [], position: 3m);

        Assert.Contains("1 slot(s) deferred", Assert.Single(report.Findings, f => f.Kind == FindingKind.PositionDrift).Detail, StringComparison.Ordinal);
    }
}
