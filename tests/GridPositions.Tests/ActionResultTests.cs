namespace GridPositions.Tests;

public class ActionResultTests
{
    [Fact]
    public void PlaceSucceeded_MakesTheOrderLiveAndIndexesItsId()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        string orderId = grid.Place(action);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.Live, slot.Status);
        Assert.Equal(orderId, slot.Order!.OrderId);
        // Routed by order id alone: the index has it.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = orderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 0.5m }));
        grid.AssertInvariants();
    }

    [Fact]
    public void PlaceFailed_FreesTheSlot_AndUnindexesTheClientId()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Failed(action, "insufficient balance")])[0];

        Assert.Equal(InputDisposition.Applied, outcome.Disposition);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.AssertInvariants();
        grid.ClaimOpen(100m); // reusable
    }

    [Fact]
    public void PlaceAmbiguous_LeavesTheSlotUnknown_UntilAnUpdateResolvesIt()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(action, "timeout")]);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Rejection);

        Assert.Equal(InputDisposition.Applied, grid.Update(action, "X9", OrderStatus.New, 0m));
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        Assert.Equal("X9", grid.Slot(100m).Order!.OrderId);
        grid.AssertInvariants();
    }

    [Fact]
    public void PlaceAmbiguous_ThenCanceledUpdate_FreesTheSlot()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(action, "timeout")]);

        Assert.Equal(InputDisposition.Applied, grid.Update(action, null, OrderStatus.Rejected, 0m));

        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.AssertInvariants();
    }

    [Fact]
    public void ResultForARecycledSlot_IsStale_AndItsLiveOrderComesBackAsACancelToIssue()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(first, "rejected")]); // slot freed
        OrderAction second = grid.ClaimOpen(100m);                                    // and recycled

        // The executor later learns the first place did reach the exchange after all.
        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(first, "GHOST")])[0];

        Assert.Equal(InputDisposition.Stale, outcome.Disposition);
        Assert.NotNull(outcome.CancelToIssue);
        Assert.Equal(OrderActionType.Cancel, outcome.CancelToIssue!.Value.Type);
        Assert.Equal("GHOST", outcome.CancelToIssue.Value.OrderId);
        Assert.Equal(first.ClientOrderId, outcome.CancelToIssue.Value.ClientOrderId);
        SlotView slot = grid.Slot(100m);
        Assert.Equal(second.ClaimToken, slot.Order!.ClaimToken);
        Assert.Null(slot.Order.OrderId);
        Assert.Equal(1, grid.Manager.Counters.ResultsStale);
        grid.AssertInvariants();
    }

    [Fact]
    public void TheOrphansCancel_CanBeReportedBack_AsAStaleResult_WithoutPoisoningItsBatch()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(first, "rejected")]);
        OrderAction second = grid.ClaimOpen(100m);
        OrderAction orphanCancel = grid.Manager.ApplyActionResults([OrderActionResult.Placed(first, "GHOST")])[0].CancelToIssue!.Value;

        IReadOnlyList<ResultOutcome> outcomes = grid.Manager.ApplyActionResults([OrderActionResult.Placed(second, "X2"), OrderActionResult.Canceled(orphanCancel)]);

        Assert.Equal([InputDisposition.Applied, InputDisposition.Stale], outcomes.Select(o => o.Disposition));
        Assert.Equal("X2", grid.Slot(100m).Order!.OrderId);
        grid.AssertInvariants();
    }

    [Fact]
    public void ResultForAnOrderThatAlreadyFinished_IsADuplicate_WithNoCancel()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Update(action, "X1", OrderStatus.Filled, 1m);                 // fill beat the result
        grid.Claim(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m)); // slot moved on

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, "X1")])[0];

        Assert.Equal(InputDisposition.Duplicate, outcome.Disposition);
        Assert.Null(outcome.CancelToIssue);
        grid.AssertInvariants();
    }

    [Fact]
    public void DuplicateResult_ChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Place(action, "X1");

        ResultOutcome again = grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, "X1")])[0];

        Assert.Equal(InputDisposition.Duplicate, again.Disposition);
        Assert.Equal(1, grid.Manager.Counters.ResultsApplied);
        Assert.Equal(1, grid.Manager.Counters.ResultsDuplicate);
    }

    [Fact]
    public async Task ResultWithAnotherOrderIdThanTheUpdateGave_IsRejected_AndSurfacedWithTheResult()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => { lock (rejected) { rejected.Add(e); } };
        OrderAction action = grid.ClaimOpen(100m);
        grid.Update(action, "X1", OrderStatus.New, 0m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, "X2")])[0];

        Assert.Equal(InputDisposition.Rejected, outcome.Disposition);
        Assert.Equal("X1", grid.Slot(100m).Order!.OrderId);
        grid.AssertInvariants();
        await grid.Manager.FlushEventsAsync();
        InputRejectedEventArgs e = Assert.Single(rejected);
        Assert.Equal("X2", e.Result?.OrderId);
        Assert.Null(e.Update);
    }

    [Fact]
    public void PlaceFailedAfterTheExchangeReportedTheOrder_KeepsTheOrder()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Update(action, "X1", OrderStatus.New, 0m);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Failed(action, "timeout mislabeled")])[0];

        Assert.Equal(InputDisposition.Rejected, outcome.Disposition);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void CancelSucceeded_KeepsTheOrderUntilItsTerminalUpdate_SoALateFillIsNotLost()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(place);
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));

        Assert.Equal(InputDisposition.Applied, grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel)])[0].Disposition);
        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status);

        grid.Update(place, orderId, OrderStatus.PartiallyFilled, 0.5m);
        grid.Update(place, orderId, OrderStatus.Canceled, 0.5m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.Free, slot.Status);
        Assert.Equal(0.5m, slot.Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void CancelFailed_KeepsTheOrderLive()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        string orderId = grid.Place(place);
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));

        grid.Manager.ApplyActionResults([OrderActionResult.Failed(cancel, "unknown order")]);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.Live, slot.Status);
        Assert.Equal(orderId, slot.Order!.OrderId);
        Assert.False(slot.Order.CancelPending);
        grid.Claim(ClaimRequest.Cancel(100m)); // may be cancelled again
        grid.AssertInvariants();
    }

    [Fact]
    public void CancelAmbiguous_KeepsTheOrderLive()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Place(place);
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));

        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(cancel, "timeout")]);

        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void CancelResultAfterTheOrderFinished_IsADuplicate()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        string orderId = grid.Place(place);
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));
        grid.Update(place, orderId, OrderStatus.Canceled, 0m);

        Assert.Equal(InputDisposition.Duplicate, grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel)])[0].Disposition);
    }

    [Fact]
    public void ResultForASlotThatWasNeverClaimed_IsRejectedAndCounted()
    {
        var grid = new TestGrid();
        var phantom = new OrderAction(OrderActionType.Place, 100m, OrderSide.Buy, 100m, 1m, "nobody", null, 77);

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(phantom, "X1")])[0];

        Assert.Equal(InputDisposition.Rejected, outcome.Disposition);
        Assert.Equal(1, grid.Manager.Counters.ResultsRejected);
        Assert.Empty(grid.Manager.GetSlots());
    }

    public static TheoryData<OrderActionResult, string> MalformedResults()
    {
        var ok = new OrderAction(OrderActionType.Place, 100m, OrderSide.Buy, 100m, 1m, "c1", null, 1);
        return new()
        {
            { new OrderActionResult(ok, ActionOutcome.Unspecified), "Outcome" },
            { new OrderActionResult(ok, (ActionOutcome)12), "Outcome" },
            { new OrderActionResult(ok with { Type = OrderActionType.Unspecified }, ActionOutcome.Failed), "Action.Type" },
            { new OrderActionResult(ok with { ClaimToken = 0 }, ActionOutcome.Failed), "Action.ClaimToken" },
            { new OrderActionResult(ok with { ClaimToken = -3, Type = OrderActionType.Cancel }, ActionOutcome.Failed), "Action.ClaimToken" },
            { new OrderActionResult(ok with { ClientOrderId = "" }, ActionOutcome.Failed), "Action.ClientOrderId" },
            { new OrderActionResult(ok, ActionOutcome.Succeeded, null), "OrderId" },
            { new OrderActionResult(ok with { SlotPrice = 100.001m }, ActionOutcome.Failed), "Action.SlotPrice" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedResults))]
    public void MalformedResult_Throws_NamingItsIndexAndField_AndAppliesNothingInTheBatch(OrderActionResult bad, string field)
    {
        var grid = new TestGrid();
        OrderAction good = grid.ClaimOpen(100m);

        var error = Assert.Throws<ArgumentException>("results", () => grid.Manager.ApplyActionResults([OrderActionResult.Placed(good, "X1"), bad]));

        Assert.Contains($"results[1].{field}", error.Message, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status); // the good one was not applied either
    }

    [Fact]
    public async Task APlacedResultNamingAnotherSlotsOrderId_IsRejected_AndSurfacedWithTheResult()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => { lock (rejected) { rejected.Add(e); } };
        OrderAction first = grid.ClaimOpen(100m), second = grid.ClaimOpen(99m);
        grid.Place(first, "X1");

        ResultOutcome outcome = grid.Manager.ApplyActionResults([OrderActionResult.Placed(second, "X1")])[0];

        const string Detail = "order id X1 belongs to slot 100.00's order; the result for slot 99.00 cannot take it";
        Assert.Equal(new ResultOutcome(InputDisposition.Rejected, null, Detail), outcome);
        Assert.Null(grid.Slot(99m).Order!.OrderId);
        await grid.Manager.FlushEventsAsync();
        InputRejectedEventArgs e = Assert.Single(rejected);
        Assert.Equal((Detail, "X1", (OrderUpdate?)null), (e.Reason, e.Result?.OrderId, e.Update));
    }
}
