namespace GridPositions.Tests;

public class ReconciliationTests
{
    private static ExchangeOrder Open(OrderAction action, string orderId, decimal filled = 0m) =>
        new(orderId, action.ClientOrderId, action.Side, action.Price, action.Quantity, filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.New, filled, filled * action.Price);

    private static ExchangeOrder Closed(OrderAction action, string orderId, OrderStatus status, decimal filled) =>
        new(orderId, action.ClientOrderId, action.Side, action.Price, action.Quantity, status, filled, filled * action.Price);

    private static ReconciliationReport Reconcile(TestGrid grid, ReconciliationTicket ticket, IReadOnlyList<ExchangeOrder>? open = null, IReadOnlyList<ExchangeOrder>? closed = null, decimal? position = null) =>
        grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), open ?? [], closed, position));

    [Fact]
    public void AMissedFill_IsBookedOnce_AndReconcilingTheSameSnapshotAgainChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 3m);
        string orderId = grid.Place(action);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var exchange = new ExchangeSnapshot(grid.Time.GetUtcNow(), [Open(action, orderId, 2m)]);

        ReconciliationReport first = grid.Manager.Reconcile(ticket, exchange);
        SlotView afterFirst = grid.Slot(100m);
        ReconciliationReport second = grid.Manager.Reconcile(ticket, exchange);

        Assert.Equal(1, first.Count(FindingKind.MissedFill));
        Assert.Equal(2m, afterFirst.Inventory);
        Assert.Equal(afterFirst, grid.Slot(100m));
        Assert.Equal(0, second.Count(FindingKind.MissedFill));
        // And the stream's own report of that fill, when it finally arrives, is a duplicate.
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 2m));
        Assert.Equal(2m, grid.Slot(100m).Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void AnOrderThatFinishedUnheard_IsFinished_WithItsFinalFills()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();

        ReconciliationReport report = Reconcile(grid, ticket, closed: [Closed(action, orderId, OrderStatus.Canceled, 1.5m)]);

        Assert.Equal([FindingKind.MissedFill, FindingKind.FinishedOnExchange], report.Findings.Select(f => f.Kind));
        Assert.Equal((SlotStatus.Free, 1.5m), (grid.Slot(100m).Status, grid.Slot(100m).Inventory));
        grid.AssertInvariants();
    }

    [Fact]
    public void OurOrderMissingOnTheExchange_IsReportedForQuerying_AndLeftAsItIs()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        string orderId = grid.Place(action);

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation());

        Assert.Equal(FindingKind.MissingOnExchange, Assert.Single(report.Findings).Kind);
        Assert.Equal([orderId], report.OrdersToQuery);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);

        // The caller queries the order and hands its final state back, as the report asks.
        ExchangeOrder queried = Closed(action, orderId, OrderStatus.Canceled, 0.4m);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(queried.ToUpdate()));
        Assert.Equal((SlotStatus.Free, 0.4m), (grid.Slot(100m).Status, grid.Slot(100m).Inventory));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnAmbiguousPlace_LiveOnTheExchange_IsAdoptedBySlot()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(action, "timeout")]);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();

        ReconciliationReport report = Reconcile(grid, ticket, open: [Open(action, "X7", 0.5m)]);

        Assert.Contains(report.Findings, f => f.Kind == FindingKind.UnknownResolved);
        SlotView slot = grid.Slot(100m);
        Assert.Equal((SlotStatus.Live, "X7", 0.5m), (slot.Status, slot.Order!.OrderId, slot.Inventory));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "X7", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnAmbiguousPlace_NowhereOnTheExchange_NeverArrived_AndFreesItsSlot()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(action, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod);

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation());

        Assert.Equal(FindingKind.NeverPlaced, Assert.Single(report.Findings).Kind);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.AssertInvariants();
        grid.ClaimOpen(100m);
    }

    [Fact]
    public void AnAmbiguousPlaceYoungerThanTheGracePeriod_IsDeferred_ForItsRequestMayStillBeInFlight()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(action, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(1));

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation());

        Assert.Contains("younger than the grace period", Assert.Single(report.Findings).Detail, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);
        Assert.Equal(InputDisposition.Applied, grid.Update(action, "X1", OrderStatus.New, 0m)); // and it did arrive
    }

    [Fact]
    public void AClaimWhoseResultHasNotArrived_IsDeferred_EvenIfTheExchangeDoesNotListItYet()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();

        ReconciliationReport report = Reconcile(grid, ticket);

        ReconciliationFinding finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Deferred, finding.Kind);
        Assert.Contains("place result has not arrived", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        Assert.Empty(report.CancelsToIssue);
        grid.Place(action); // the result still lands normally
    }

    [Fact]
    public void ASlotThatChangedAfterTheReconciliationBegan_IsLeftAlone()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 3m);
        string orderId = grid.Place(action);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m); // live traffic after the ticket

        ReconciliationReport report = Reconcile(grid, ticket, closed: [Closed(action, orderId, OrderStatus.Canceled, 1m)]);

        Assert.Contains("changed after the reconciliation began", Assert.Single(report.Findings).Detail, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void ASlotHeldByALease_IsLeftAlone()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        OrderAction resting = grid.ClaimClose(100m, 105m);
        string restingId = grid.Place(resting);
        grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "x"));

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation(), closed: [Closed(resting, restingId, OrderStatus.Filled, 1m)]);

        Assert.Contains("Modify lease", Assert.Single(report.Findings).Detail, StringComparison.Ordinal);
        Assert.Equal(1m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public void AnOpenOrderOfOursThatNoSlotKnows_IsAdopted_ByTheFreeSlotAtItsPrice()
    {
        var grid = new TestGrid();
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var lost = new ExchangeOrder("X9", "gp-previous-run-7", OrderSide.Buy, 99m, 2m, OrderStatus.PartiallyFilled, 1m, 99m);

        ReconciliationReport report = Reconcile(grid, ticket, open: [lost]);

        Assert.Equal(FindingKind.Adopted, Assert.Single(report.Findings).Kind);
        SlotView slot = grid.Slot(99m);
        Assert.Equal((SlotStatus.Live, "X9", "gp-previous-run-7", 1m), (slot.Status, slot.Order!.OrderId, slot.Order.ClientOrderId, slot.Inventory));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "X9", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));
        grid.AssertInvariants();
        Assert.Equal(0, Reconcile(grid, ticket, open: [lost]).Count(FindingKind.Adopted)); // not twice
    }

    [Fact]
    public void AnOrderOfOursThatNoSlotCanOwn_IsReported_WithACancel()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(99m); // the level is busy
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var stray = new ExchangeOrder("X9", "gp-old-1", OrderSide.Buy, 99m, 1m, OrderStatus.New, 0m);
        var strayClose = new ExchangeOrder("X10", "gp-old-2", OrderSide.Sell, 101m, 1m, OrderStatus.New, 0m);

        ReconciliationReport report = Reconcile(grid, ticket, open: [stray, strayClose]);

        Assert.Equal(2, report.Count(FindingKind.UnattributedOwnOrder));
        Assert.Equal(["X9", "X10"], report.CancelsToIssue.Select(c => c.OrderId));
        Assert.All(report.CancelsToIssue, c => Assert.Equal((OrderActionType.Cancel, 0L), (c.Type, c.ClaimToken)));
        Assert.Equal([InputDisposition.Stale, InputDisposition.Stale], grid.Manager.ApplyActionResults(report.CancelsToIssue.Select(c => OrderActionResult.Canceled(c)).ToList()).Select(o => o.Disposition));
    }

    [Fact]
    public void AForeignOrder_IsReported_AndNeverTouched()
    {
        var grid = new TestGrid();
        var foreign = new ExchangeOrder("F1", "manual-trade", OrderSide.Buy, 98m, 1m, OrderStatus.New, 0m);

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation(), open: [foreign, foreign with { OrderId = "F2", ClientOrderId = null }]);

        Assert.Equal(2, report.Count(FindingKind.ForeignOrder));
        Assert.Empty(report.CancelsToIssue);
        Assert.Empty(grid.Manager.GetSlots());
    }

    [Fact]
    public void AnOrderTheSlotSawFinish_ButOpenOnTheExchange_IsToBeCancelled()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.Canceled, 0m);

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation(), open: [Open(action, orderId)]);

        Assert.Equal(FindingKind.FinishedButOpenOnExchange, Assert.Single(report.Findings).Kind);
        Assert.Equal(orderId, Assert.Single(report.CancelsToIssue).OrderId);
    }

    [Fact]
    public void PositionDrift_IsReported()
    {
        var grid = new TestGrid(GridDirection.Short);
        grid.OpenFilled(100m, 2m); // short 2

        ReconciliationReport report = Reconcile(grid, grid.Manager.BeginReconciliation(), position: -3m);

        Assert.Equal(-1m, report.PositionDrift);
        Assert.Equal(FindingKind.PositionDrift, Assert.Single(report.Findings).Kind);
        Assert.Equal(0m, Reconcile(grid, grid.Manager.BeginReconciliation(), position: -2m).PositionDrift);
    }

    [Fact]
    public void BadInput_IsRefused_AndChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        DateTimeOffset now = grid.Time.GetUtcNow();

        Assert.Throws<ArgumentException>("ticket", () => grid.Manager.Reconcile(default, new ExchangeSnapshot(now, [])));
        Assert.Throws<ArgumentException>("exchange", () => grid.Manager.Reconcile(ticket, new ExchangeSnapshot(now - TimeSpan.FromSeconds(1), [])));
        Assert.Throws<ArgumentNullException>("exchange", () => grid.Manager.Reconcile(ticket, null!));
        ExchangeOrder good = Open(action, orderId, 1m);
        foreach (ExchangeSnapshot bad in new[]
        {
            new ExchangeSnapshot(now, [good with { Status = OrderStatus.Filled }]),
            new ExchangeSnapshot(now, [good], [good with { Status = OrderStatus.Filled }]),
            new ExchangeSnapshot(now, [good with { CumulativeFilledQuantity = 3m }]),
            new ExchangeSnapshot(now, [good with { OrderId = "" }]),
            new ExchangeSnapshot(now, [good with { Side = OrderSide.Unspecified }]),
            new ExchangeSnapshot(now, [good], [good with { OrderId = "Z", Status = OrderStatus.New }]),
        })
        {
            Assert.Throws<ArgumentException>("exchange", () => grid.Manager.Reconcile(ticket, bad));
        }

        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }
}
