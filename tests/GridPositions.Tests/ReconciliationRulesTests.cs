namespace GridPositions.Tests;

/// <summary>
/// Reconciliation's input checks and findings, word for word: a malformed exchange snapshot is refused naming the
/// order and what is wrong with it, and each finding says what was found and what was done.
/// </summary>
public class ReconciliationRulesTests
{
    private static ExchangeOrder Open(string id, string? clientId = "gp-x", decimal price = 100m, decimal quantity = 1m, decimal filled = 0m, OrderStatus status = OrderStatus.New, decimal? quote = null, decimal fee = 0m, OrderSide side = OrderSide.Buy) =>
        new(id, clientId, side, price, quantity, status, filled, quote, fee);

    public static TheoryData<string, ExchangeSnapshot, string> Malformed
    {
        get
        {
            DateTimeOffset at = new TestGrid().Time.GetUtcNow();
            decimal beyond = SuperPositionManager.MaxAmount + 1m;
            return new()
            {
                { "no open list", new ExchangeSnapshot(at, null!), "Exchange snapshot's OpenOrders is null." },
                { "a null order", new ExchangeSnapshot(at, [null!]), "Exchange order OpenOrders[0] is null." },
                { "no order id", new ExchangeSnapshot(at, [Open(" ")]), "Exchange order OpenOrders[0] has no OrderId." },
                { "an unknown side", new ExchangeSnapshot(at, [Open("A", side: (OrderSide)5)]), "Exchange order OpenOrders[0] has side 5." },
                { "open but finished", new ExchangeSnapshot(at, [Open("A", status: OrderStatus.Filled, filled: 1m)]), "Exchange order OpenOrders[0] is listed open with status Filled." },
                { "closed but open", new ExchangeSnapshot(at, [], [Open("A")]), "Exchange order RecentlyClosedOrders[0] is listed closed with status New." },
                { "zero quantity", new ExchangeSnapshot(at, [Open("A", quantity: 0m)]), "Exchange order OpenOrders[0] has 0 filled of 0." },
                { "negative fill", new ExchangeSnapshot(at, [Open("A", filled: -1m)]), "Exchange order OpenOrders[0] has -1 filled of 1." },
                { "overfilled", new ExchangeSnapshot(at, [Open("A", filled: 2m, status: OrderStatus.PartiallyFilled)]), "Exchange order OpenOrders[0] has 2 filled of 1." },
                { "negative notional", new ExchangeSnapshot(at, [Open("A", quote: -1m)]), "Exchange order OpenOrders[0] has a negative notional -1." },
                { "price beyond the bound", new ExchangeSnapshot(at, [Open("A", price: beyond)]), "Exchange order OpenOrders[0] has a price 1000000000000001 is beyond the bound" },
                { "quantity beyond the bound", new ExchangeSnapshot(at, [Open("A", quantity: beyond)]), "Exchange order OpenOrders[0] has a quantity 1000000000000001 is beyond the bound" },
                { "notional beyond the bound", new ExchangeSnapshot(at, [Open("A", quote: beyond)]), "Exchange order OpenOrders[0] has a notional 1000000000000001 is beyond the bound" },
                { "fee beyond the bound", new ExchangeSnapshot(at, [Open("A", fee: beyond)]), "Exchange order OpenOrders[0] has a fee 1000000000000001 is beyond the bound" },
                { "a repeated id", new ExchangeSnapshot(at, [Open("A"), Open("A")]), "Exchange order OpenOrders[1] repeats order id A." },
                { "a position beyond the bound", new ExchangeSnapshot(at, [], Position: -beyond), "Exchange snapshot's Position -1000000000000001 is beyond the bound of 1,000,000,000,000,000." },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedExchangeSnapshot_IsRefusedByName_SayingWhichOrderAndWhy(string why, ExchangeSnapshot exchange, string expected)
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);
        var error = Assert.Throws<ArgumentException>(nameof(exchange), () => grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), exchange));
        Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{why}: {error.Message}");
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
    }

    [Fact]
    public void AForeignTicketOrAnEarlySnapshot_IsRefused_SayingSo()
    {
        var grid = new TestGrid();
        var other = new TestGrid();
        ReconciliationTicket foreign = other.Manager.BeginReconciliation();
        var notOurs = Assert.Throws<ArgumentException>("ticket", () => grid.Manager.Reconcile(foreign, new ExchangeSnapshot(grid.Time.GetUtcNow(), [])));
        Assert.StartsWith("Ticket 1 was not issued by this manager's BeginReconciliation.", notOurs.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("ticket", () => grid.Manager.Reconcile(default, new ExchangeSnapshot(grid.Time.GetUtcNow(), [])));

        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var early = Assert.Throws<ArgumentException>("exchange", () => grid.Manager.Reconcile(ticket, new ExchangeSnapshot(ticket.StartedAt.AddSeconds(-1), [])));
        Assert.StartsWith($"The exchange snapshot ({ticket.StartedAt.AddSeconds(-1):O}) was taken before the reconciliation began ({ticket.StartedAt:O}).", early.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_AreListedInPriceOrder_AndSayWhatWasFoundAndDone()
    {
        var grid = new TestGrid();
        OrderAction live101 = grid.ClaimOpen(101m), live99 = grid.ClaimOpen(99m);
        grid.Place(live101, "L101");
        grid.Place(live99, "L99");
        OrderAction ambiguous = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(ambiguous, "timeout")]);
        (_, string doneId) = grid.OpenFilled(98m);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod + TimeSpan.FromSeconds(1));
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var exchange = new ExchangeSnapshot(grid.Time.GetUtcNow(),
        [
            Open("L101", live101.ClientOrderId, price: 101m),
            Open(doneId, null, price: 98m),         // finished in its slot, still open on the exchange, listed without a client id
            Open("F1", "someone-else", price: 97m), // not ours
        ]);

        ReconciliationReport report = grid.Manager.Reconcile(ticket, exchange);

        Assert.Equal(
        [
            (FindingKind.MissingOnExchange, (decimal?)99m, "neither open nor recently closed on the exchange; query its final state"),
            (FindingKind.NeverPlaced, 100m, "the ambiguous place never reached the exchange; the slot is free"),
            (FindingKind.FinishedButOpenOnExchange, 98m, "the slot saw this order finish, but it is open on the exchange; cancel it"),
            (FindingKind.ForeignOrder, null, "not ours; left untouched"),
        ], report.Findings.Select(f => (f.Kind, f.SlotPrice, f.Detail)));
        Assert.Equal([new OrderAction(OrderActionType.Cancel, 98m, OrderSide.Buy, 98m, 1m, "", doneId, 0)], report.CancelsToIssue);
        Assert.Equal(["L99"], report.OrdersToQuery);
    }

    [Fact]
    public async Task AnAdoption_IsAnnouncedAndCounted_AndNamesTheSlot_ButNotAtALevelThatChangedAfterTheTicket()
    {
        var grid = new TestGrid();
        var changes = new List<SlotView>();
        grid.Manager.SlotChanged += (_, e) => changes.Add(e.Slot);
        OrderAction failed = grid.ClaimOpen(99m);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(failed, "rejected")]); // level 99 changes after the ticket
        string prefix = grid.Options.ClientOrderIdPrefix;
        var exchange = new ExchangeSnapshot(grid.Time.GetUtcNow(),
        [
            Open("A100", prefix + "lost-1", price: 100m, quantity: 2m, filled: 1m, status: OrderStatus.PartiallyFilled),
            Open("A99", prefix + "lost-2", price: 99m),
        ]);
        long updatesBefore = grid.Manager.Counters.UpdatesApplied;

        ReconciliationReport report = grid.Manager.Reconcile(ticket, exchange);

        ReconciliationFinding adopted = Assert.Single(report.Findings, f => f.Kind == FindingKind.Adopted);
        Assert.Equal("an open order of ours no slot knew; slot 100.00 adopted it with 1 filled", adopted.Detail);
        Assert.Equal(FindingKind.UnattributedOwnOrder, Assert.Single(report.Findings, f => f.OrderId == "A99").Kind);
        Assert.Equal(SlotStatus.Free, grid.Slot(99m).Status);
        Assert.Equal((SlotStatus.Live, 1m), (grid.Slot(100m).Status, grid.Slot(100m).Inventory));
        Assert.Equal(updatesBefore + 1, grid.Manager.Counters.UpdatesApplied);
        Assert.Equal(1, grid.Manager.Counters.FillsApplied);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(grid.Slot(100m), changes.Last(v => v.Price == 100m));
    }

    [Fact]
    public void AnAmbiguousPlaceThatTheExchangeHas_IsResolved_SayingSo()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();

        ReconciliationReport report = grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [Open("X1", place.ClientOrderId)]));

        ReconciliationFinding resolved = Assert.Single(report.Findings);
        Assert.Equal((FindingKind.UnknownResolved, "the ambiguous place is live on the exchange; the slot has it"), (resolved.Kind, resolved.Detail));
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void ALiveOrderKnownOnlyByClientId_ThatTheExchangeLacks_IsQueried_NotFreedAsNeverPlaced()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Update(place, null, OrderStatus.New, 0m); // live, but no exchange id yet
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod + TimeSpan.FromMinutes(1));

        ReconciliationReport report = grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), []));

        Assert.Equal(FindingKind.MissingOnExchange, Assert.Single(report.Findings).Kind);
        Assert.Equal([place.ClientOrderId], report.OrdersToQuery);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void ASlotsView_DerivesItsPositionStatusAndAverageEntry()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, quantity: 2m, price: 99m);
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 2m, quote: 197m);
        SlotView held = grid.Slot(100m);
        Assert.Equal((PositionStatus.Open, (decimal?)98.5m), (held.PositionStatus, held.AverageEntryPrice));
        grid.ClaimOpen(101m);
        Assert.Equal((PositionStatus.Flat, (decimal?)null), (grid.Slot(101m).PositionStatus, grid.Slot(101m).AverageEntryPrice));
    }
}
