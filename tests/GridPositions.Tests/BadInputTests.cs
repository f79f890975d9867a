namespace GridPositions.Tests;

/// <summary>
/// Issue 11, "corruption by bad input": every malformed or contradictory input is refused with a reason (or an
/// <see cref="ArgumentException"/> naming what is wrong), and nothing changes. Items are named by their number there.
/// </summary>
public class BadInputTests
{
    // ---- 5: an order id another slot's order has ---------------------------------------------------------------

    [Fact]
    public void Item5_APlaceResultWithTheOrderIdOfAnotherSlotsLiveOrder_IsRejected_AndTheClaimStaysAsItWas()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);
        grid.Place(first, "X1");
        OrderAction second = grid.ClaimOpen(101m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(second, "X1")])[0];

        Assert.Equal(InputDisposition.Rejected, outcome.Disposition);
        Assert.Contains("X1", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal((SlotStatus.PendingPlace, (string?)null), (grid.Slot(101m).Status, grid.Slot(101m).Order!.OrderId));
        grid.AssertInvariants();

        // The store stays recoverable, and a later update of X1 still books on its own slot.
        SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options);
        Assert.Equal(InputDisposition.Applied, grid.Update(first, "X1", OrderStatus.Filled, 1m));
        Assert.Equal((1m, 0m), (grid.Slot(100m).Inventory, grid.Slot(101m).Inventory));
        grid.Place(second, "X2"); // the claim still takes its real result
    }

    [Fact]
    public void Item5_APlaceResultWithTheOrderIdOfAnotherSlotsFinishedOrder_IsRejected()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m); // X1000, finished and remembered
        OrderAction second = grid.ClaimOpen(101m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(second, "X1000")])[0];

        Assert.Equal(InputDisposition.Rejected, outcome.Disposition);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(101m).Status);
        grid.AssertInvariants();
        SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options);
    }

    [Fact]
    public void Item5_AnUpdateCarryingAFinishedOrdersIdAndAnotherSlotsClientId_NeverMovesTheIdToThatSlot()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m); // X1000 finished at 100
        OrderAction second = grid.ClaimOpen(101m);

        InputDisposition disposition = grid.Update(second, "X1000", OrderStatus.New, 0m);

        Assert.NotEqual(InputDisposition.Applied, disposition);
        Assert.Null(grid.Slot(101m).Order!.OrderId);
        grid.AssertInvariants();
    }

    // ---- 6: blank ids ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("\t")]
    public void Item6_ASuccessfulPlaceResultWithABlankOrderId_IsRefusedNamingIt_AndNothingChanges(string blank)
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        var error = Assert.Throws<ArgumentException>("results", () => grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, blank)]));

        Assert.Contains("OrderId", error.Message, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item6_ABlankOrderIdInAFailedResult_IsNoId()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([new OrderActionResult(action, ActionOutcome.Failed, "  ", "rejected")])[0];

        Assert.Equal(InputDisposition.Applied, outcome.Disposition);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item6_AResultWhoseActionHasABlankClientOrderId_IsRefusedNamingIt()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        var error = Assert.Throws<ArgumentException>("results", () => grid.Manager.ApplyActionResults([OrderActionResult.Placed(action with { ClientOrderId = " " }, "X1")]));

        Assert.Contains("ClientOrderId", error.Message, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
    }

    // ---- 7: overflow from deep inside ------------------------------------------------------------------------------

    /// <summary>A grid whose tick is so small that an ordinary-looking large price overflows price / tick.</summary>
    private static TestGrid TinyTickGrid() => new(options: new PositionManagerOptions
    {
        Symbol = "TINY",
        TickSize = 0.00000001m,
        QuantityStep = 0.00000001m,
    });

    public static TheoryData<string> Extremes => new() { "max", "min", "tiny-tick-large-price", "huge-quantity", "tiny" };

    private static decimal Big(string extreme) => extreme switch
    {
        "max" => decimal.MaxValue,
        "min" => decimal.MinValue,
        "tiny-tick-large-price" => 1e21m,
        "huge-quantity" => 7.9e27m,
        _ => 0.0000000000000000000000000001m,
    };

    /// <summary>Runs <paramref name="act"/>; it may refuse (ArgumentException) or answer, but never throw anything else, and must change no slot.</summary>
    private static void RefusedOrHarmless(TestGrid grid, Action act)
    {
        IReadOnlyList<SlotView> before = grid.Manager.GetSlots();
        try
        {
            act();
        }
        catch (ArgumentException)
        {
        }

        Assert.Equal(before, grid.Manager.GetSlots());
        grid.AssertInvariants();
        grid.Manager.GetTotals();
    }

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Item7_ExtremeDecimals_AtEveryEntryPoint_AreRefusedByName_NeverAnOverflow(string extreme)
    {
        TestGrid grid = TinyTickGrid();
        grid.OpenFilled(100m);
        OrderAction live = grid.ClaimOpen(101m);
        grid.Place(live, "LIVE");
        decimal big = Big(extreme);

        ClaimResult claim = grid.Manager.ClaimSlot(ClaimRequest.Place(big, OrderSide.Buy, 100m, 1m));
        Assert.Equal(ClaimRejection.Invalid, claim.Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, big, 1m)).Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, big)).Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Cancel(big)).Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, big, 1m)).Rejection);
        Assert.DoesNotContain(grid.Manager.GetSlots(), s => s.Price is not (100m or 101m));

        RefusedOrHarmless(grid, () => grid.Manager.ApplyActionResults([OrderActionResult.Placed(live with { SlotPrice = big }, "X")]));
        RefusedOrHarmless(grid, () => grid.Manager.GetSlot(big));
        RefusedOrHarmless(grid, () => grid.Manager.GetTargetHistory(big));
        RefusedOrHarmless(grid, () => grid.Manager.BeginClose(new CloseRequest(big)));
        RefusedOrHarmless(grid, () => grid.Manager.BeginClose(new CloseRequest(100m, big)));
        RefusedOrHarmless(grid, () => grid.Manager.BeginModify(new ModifyRequest(100m, big, null, "x")));
        RefusedOrHarmless(grid, () => grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [big] = 1m }));
        RefusedOrHarmless(grid, () => grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [100m] = big }));
        if (extreme != "tiny") // a tiny notional or fee is an ordinary fill, not an extreme
        {
            RefusedOrHarmless(grid, () => grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "LIVE", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = Math.Abs(big) }));
            RefusedOrHarmless(grid, () => grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "LIVE", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeFee = big }));
            RefusedOrHarmless(grid, () => grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "LIVE", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = Math.Abs(big) }));
        }

        RefusedOrHarmless(grid, () =>
        {
            ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
            var odd = new ExchangeOrder("E9", "gp-x", OrderSide.Buy, Math.Abs(big), Math.Abs(big), OrderStatus.New, 0m);
            grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [odd], Position: big));
        });

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        RefusedOrHarmless(grid, () => grid.Manager.ClaimCloseOrder(start.Lease!, big));
        RefusedOrHarmless(grid, () => grid.Manager.ClaimCloseOrder(start.Lease!, 99m, big));
        start.Lease!.Dispose();
    }

    [Fact]
    public void Item7_AnExtremelyFineGrid_RefusesPricesAndQuantitiesWhoseTicksOverflow_ByName()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "FINE", TickSize = 1e-20m, QuantityStep = 1e-20m });

        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(1e10m, OrderSide.Buy, 1e10m, 1m)).Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(1m, OrderSide.Buy, 1m, 1e10m)).Rejection);
        Assert.Throws<ArgumentException>("price", () => grid.Manager.GetSlot(1e10m));
        Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginClose(new CloseRequest(1e10m)));
        Assert.Throws<ArgumentException>("exchangeQuantities", () => grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [1e10m] = 1m }));
        Assert.Empty(grid.Manager.GetSlots());
    }

    // ---- 8: absurd amounts -----------------------------------------------------------------------------------------

    [Fact]
    public void Item8_AFillWhoseAmountsAreBeyondTheBound_IsRefusedNamingTheField_AndEveryLaterReadWorks()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(101m, 0.001m);
        string orderId = grid.Place(action);

        var error = Assert.Throws<ArgumentException>("update", () => grid.Update(action, orderId, OrderStatus.Filled, 0.001m, quote: 7.9e28m));
        Assert.Contains("CumulativeQuoteQuantity", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>("update", () => grid.Update(action, orderId, OrderStatus.Filled, 0.001m, quote: 1e14m)); // a price of 10^17
        Assert.Contains("price beyond the bound", error.Message, StringComparison.Ordinal);
        OrderAction whole = grid.ClaimOpen(102m, 3m);
        string wholeId = grid.Place(whole);
        error = Assert.Throws<ArgumentException>("update", () => grid.Update(whole, wholeId, OrderStatus.Filled, 3m, quote: 2e15m));
        Assert.Contains("CumulativeQuoteQuantity", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>("update", () => grid.Update(whole, wholeId, OrderStatus.Filled, 3m, quote: 306m, fee: -2e15m));
        Assert.Contains("CumulativeFee", error.Message, StringComparison.Ordinal);
        Assert.Equal(0m, grid.Slot(102m).Inventory);

        Assert.Equal(0m, grid.Slot(101m).Inventory);
        grid.Manager.GetTotals();
        grid.Manager.GetSlots();
        grid.AssertInvariants();
    }

    [Fact]
    public void Item8_AFillJustWithinTheBound_IsBooked_AndTotalsOverManySuchSlotsStillRead()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "BIG", TickSize = 1m, QuantityStep = 1m });
        for (int i = 0; i < 20; i++)
        {
            OrderAction action = grid.ClaimOpen(100m + i, 1m);
            Assert.Equal(InputDisposition.Applied, grid.Update(action, grid.Place(action), OrderStatus.Filled, 1m, quote: SuperPositionManager.MaxAmount, fee: -SuperPositionManager.MaxAmount));
        }

        PositionTotals totals = grid.Manager.GetTotals();
        Assert.Equal(20 * SuperPositionManager.MaxAmount, totals.EntryNotional);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item8_AClaimWhoseNotionalIsBeyondTheBound_IsInvalid()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "BIG", TickSize = 1m, QuantityStep = 1m });

        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 1_000_000_000_000m, 10_000_000m));

        Assert.Equal(ClaimRejection.Invalid, result.Rejection);
        Assert.Contains("bound", result.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(grid.Manager.GetSlots());
    }

    // ---- 9: a fill off the quantity step ---------------------------------------------------------------------------

    [Fact]
    public void Item9_AFillOffTheQuantityStep_IsBooked_AndAClaimForExactlyTheInventoryFlattensIt()
    {
        var grid = new TestGrid(); // step 0.001
        OrderAction open = grid.ClaimOpen(100m, 0.001m);
        string orderId = grid.Place(open);
        Assert.Equal(InputDisposition.Applied, grid.Update(open, orderId, OrderStatus.Canceled, 0.0005m));
        Assert.Equal(0.0005m, grid.Slot(100m).Inventory);

        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 101m, 0.0004m)).Rejection);
        Assert.Equal(ClaimRejection.WouldOversell, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 101m, 0.001m)).Rejection);
        OrderAction close = grid.ClaimClose(100m, 101m, 0.0005m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 0.0005m);

        Assert.Equal(0m, grid.Slot(100m).Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item9_AnOffStepPosition_CanBeClosedUnderALease()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 0.002m);
        grid.Update(open, grid.Place(open), OrderStatus.Canceled, 0.0015m);

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 99m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 0.0015m);

        Assert.Equal(0m, grid.Slot(100m).Inventory);
        Assert.False(start.Lease!.IsHeld);
    }

    // ---- 11: CloseAll validates the whole request before it acts --------------------------------------------------

    [Fact]
    public void Item11_CloseAll_WithOneBadExchangeQuantity_StartsNoClose()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        grid.OpenFilled(101m);

        var error = Assert.Throws<ArgumentException>("exchangeQuantities", () => grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [100m] = 1m, [101m] = -1m }));

        Assert.Contains("101", error.Message, StringComparison.Ordinal);
        Assert.All(grid.Manager.GetSlots(), s => Assert.Equal(LeaseKind.None, s.Lease));
    }

    [Fact]
    public void Item11_CloseAll_WithAKeyOffTheTickGrid_IsRefusedNamingIt()
    {
        var grid = new TestGrid(); // tick 0.01
        grid.OpenFilled(100m);

        var error = Assert.Throws<ArgumentException>("exchangeQuantities", () => grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [100m] = 1m, [100.005m] = 1m }));

        Assert.Contains("100.005", error.Message, StringComparison.Ordinal);
        Assert.Equal(LeaseKind.None, grid.Slot(100m).Lease);
    }

    // ---- 12: the exchange's truth for flat books -------------------------------------------------------------------

    [Fact]
    public void Item12_BeginClose_WithAnExchangeQuantity_AtALevelWithNoSlot_ReportsTheMismatch_AndTheCloseIsClaimable()
    {
        var grid = new TestGrid();

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(105m, ExchangeQuantity: 0.5m));

        Assert.Equal(CloseStatus.Started, start.Status);
        Assert.Equal(new PositionMismatch(105m, 0m, 0.5m), start.Mismatch);
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 106m).Action!.Value;
        Assert.Equal(0.5m, close.Quantity);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item12_BeginClose_WithAnExchangeQuantity_AtAFlatSlot_ReportsTheMismatch()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(open, "rejected")]); // the slot exists, flat

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 1m));

        Assert.Equal(CloseStatus.Started, start.Status);
        Assert.Equal(1m, start.Mismatch!.Difference);
    }

    [Fact]
    public void Item12_CloseAll_ClosesALevelTheExchangeHoldsThoughTheBooksAreFlat()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);

        FlattenPlan plan = grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [100m] = 1m, [107m] = 2m });

        Assert.Equal(2, plan.Closes.Count);
        CloseStart flatLevel = Assert.Single(plan.Closes, c => c.Mismatch is not null);
        Assert.Equal(new PositionMismatch(107m, 0m, 2m), flatLevel.Mismatch);
        Assert.Equal(CloseStatus.Started, flatLevel.Status);
    }

    [Fact]
    public void Item12_AnExchangeQuantityOfZero_AtALevelWithNoSlot_IsAlreadyFlat_AndCreatesNoSlot()
    {
        var grid = new TestGrid();

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(105m, ExchangeQuantity: 0m));

        Assert.Equal((CloseStatus.AlreadyFlat, (PositionMismatch?)null), (start.Status, start.Mismatch));
        Assert.Empty(grid.Manager.GetSlots());
    }

    // ---- 13: a refusal changes nothing -----------------------------------------------------------------------------

    [Fact]
    public void Item13_ARefusedClaimAtANeverUsedLevel_LeavesNoSlot()
    {
        var grid = new TestGrid();

        Assert.Equal(ClaimRejection.WouldOversell, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 101m, 1m)).Rejection);
        Assert.Equal(ClaimRejection.NothingToCancel, grid.Manager.ClaimSlot(ClaimRequest.Cancel(102m)).Rejection);
        Assert.Equal(ClaimRejection.Invalid, grid.Manager.ClaimSlot(ClaimRequest.Place(103m, grid.Opening, 103m, 0.0001m)).Rejection);

        Assert.Empty(grid.Manager.GetSlots());
        Assert.Empty(grid.Manager.CreateSnapshot().Slots);
    }

    // ---- 14: reconciliation tickets are the manager's own ----------------------------------------------------------

    [Fact]
    public void Item14_ATicketFromAnotherManager_IsRefused_WhateverItsEpoch()
    {
        var mine = new TestGrid();
        var other = new TestGrid();
        ReconciliationTicket foreign = other.Manager.BeginReconciliation();
        mine.Manager.BeginReconciliation();
        mine.Manager.BeginReconciliation();

        Assert.Throws<ArgumentException>("ticket", () => mine.Manager.Reconcile(foreign, new ExchangeSnapshot(mine.Time.GetUtcNow(), [])));
        Assert.Throws<ArgumentException>("ticket", () => mine.Manager.Reconcile(default, new ExchangeSnapshot(mine.Time.GetUtcNow(), [])));
    }
}
