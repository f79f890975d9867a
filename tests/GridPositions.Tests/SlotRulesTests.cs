namespace GridPositions.Tests;

/// <summary>
/// The slot's own rules, seen from the API: every result that changes a slot announces it, every refusal says what
/// it found, a given-back cancel can be claimed and accepted again, a lease's claims live exactly as long as it, and
/// a fill names its exchange order however the update named it.
/// </summary>
public class SlotRulesTests
{
    private static async Task<int> ChangesDuring(TestGrid grid, Action act)
    {
        var changes = 0;
        void Count(object? sender, SlotChangedEventArgs e) => Interlocked.Increment(ref changes);
        await grid.Manager.FlushEventsAsync();
        grid.Manager.SlotChanged += Count;
        act();
        await grid.Manager.FlushEventsAsync();
        grid.Manager.SlotChanged -= Count;
        return changes;
    }

    [Fact]
    public async Task EveryResultThatChangesASlot_AnnouncesItOnce()
    {
        var grid = new TestGrid();
        OrderAction ambiguous = grid.ClaimOpen(100m);
        Assert.Equal(1, await ChangesDuring(grid, () => grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(ambiguous, "timeout")])));
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);

        OrderAction live = grid.ClaimOpen(99m);
        grid.Place(live, "X1");
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(99m));
        Assert.Equal(1, await ChangesDuring(grid, () => grid.Manager.ApplyActionResults([OrderActionResult.Failed(cancel, "unknown order")])));
        Assert.Equal((SlotStatus.Live, false), (grid.Slot(99m).Status, grid.Slot(99m).Order!.CancelPending));

        OrderAction again = grid.Claim(ClaimRequest.Cancel(99m)); // the given-back cancel starts afresh
        Assert.Equal(1, await ChangesDuring(grid, () => Assert.Equal(InputDisposition.Applied, grid.Manager.ApplyActionResults([OrderActionResult.Canceled(again)])[0].Disposition)));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.ApplyActionResults([OrderActionResult.Canceled(again)])[0].Disposition);
    }

    [Fact]
    public void StaleAndConflictingResults_SayWhatTheSlotHolds()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(first, "rejected")]);
        OrderAction second = grid.ClaimOpen(100m);

        ResultOutcome lateSuccess = grid.Manager.ApplyActionResults([OrderActionResult.Placed(first with { ClaimToken = 99 }, "X1")])[0];
        Assert.Equal(InputDisposition.Stale, lateSuccess.Disposition);
        Assert.Equal("slot 100.00 no longer holds claim 99; its order went live and must be cancelled", lateSuccess.Detail);
        Assert.Equal(new OrderAction(OrderActionType.Cancel, 100m, first.Side, first.Price, first.Quantity, first.ClientOrderId, "X1", 0) { Role = OrderRole.Open, PositionSide = PositionSide.Both }, lateSuccess.CancelToIssue); // the intent the executor reported
        ResultOutcome lateFailure = grid.Manager.ApplyActionResults([OrderActionResult.Failed(first with { ClaimToken = 99 }, "x")])[0];
        Assert.Equal(new ResultOutcome(InputDisposition.Stale, null, "slot 100.00 no longer holds claim 99"), lateFailure);

        grid.Place(second, "X2");
        ResultOutcome conflict = grid.Manager.ApplyActionResults([OrderActionResult.Placed(second, "X3")])[0];
        Assert.Equal(InputDisposition.Rejected, conflict.Disposition);
        Assert.Equal($"slot 100.00 order {second.ClientOrderId} has exchange id X2, the result says X3", conflict.Detail);

        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));
        ResultOutcome staleCancel = grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel with { ClaimToken = 77, ClientOrderId = "other", OrderId = "other" })])[0];
        Assert.Equal(new ResultOutcome(InputDisposition.Stale, null, "slot 100.00 no longer holds cancel claim 77"), staleCancel);
    }

    [Fact]
    public void AFailedPlaceTheExchangeAlreadyReported_IsKept_SayingSo()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        Assert.Equal(InputDisposition.Applied, grid.Update(place, null, OrderStatus.New, 0m)); // by client id: live, no exchange id yet

        ResultOutcome failed = grid.Manager.ApplyActionResults([OrderActionResult.Failed(place, "timeout")])[0];

        Assert.Equal(InputDisposition.Rejected, failed.Disposition);
        Assert.Equal($"place of {place.ClientOrderId} reported failed (timeout) but the exchange reported the order; keeping it", failed.Detail);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public async Task UpdatesForAFinishedOrder_ThatContradictIt_SayHow()
    {
        var grid = new TestGrid();
        (OrderAction buy, string id) = grid.OpenFilled(100m);
        var conflict = new OrderUpdate { OrderId = id, ClientOrderId = "someone-else", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m };
        var more = new OrderUpdate { OrderId = id, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m };
        var details = new List<string>();
        grid.Manager.InputRejected += (_, e) => details.Add(e.Reason);

        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(conflict));
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(more));

        OrderAction failed = grid.ClaimOpen(99m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(failed, "rejected")]);
        Assert.Equal(InputDisposition.Rejected, grid.Update(failed, "X9", OrderStatus.New, 0m));

        await grid.Manager.FlushEventsAsync();
        Assert.Equal(
        [
            $"update ids ({id}, someone-else) conflict with slot 100.00's finished order ({id}, {buy.ClientOrderId})",
            $"order {buy.ClientOrderId} finished Filled with 1 filled, but an update reports 2",
            $"order {failed.ClientOrderId} was reported failed by the executor, but the exchange reports it New",
        ], details);
    }

    [Fact]
    public async Task AFillWhoseNotionalDidNotGrow_IsRefused_SayingSo()
    {
        var grid = new TestGrid();
        OrderAction buy = grid.ClaimOpen(100m, quantity: 2m);
        string id = grid.Place(buy);
        grid.Update(buy, id, OrderStatus.PartiallyFilled, 1m, quote: 100m);
        var details = new List<string>();
        grid.Manager.InputRejected += (_, e) => details.Add(e.Reason);

        Assert.Equal(InputDisposition.Rejected, grid.Update(buy, id, OrderStatus.PartiallyFilled, 1.5m, quote: 100m));

        await grid.Manager.FlushEventsAsync();
        Assert.Equal([$"order {buy.ClientOrderId}: cumulative notional went from 100 to 100 while the fill grew to 1.5"], details);
    }

    [Fact]
    public async Task AFill_NamesItsExchangeOrder_WhetherTheUpdateOrThePlaceResultGaveTheId()
    {
        var grid = new TestGrid();
        var fills = new List<string?>();
        grid.Manager.FillApplied += (_, e) => fills.Add(e.OrderId);
        OrderAction early = grid.ClaimOpen(100m, quantity: 2m);
        grid.Update(early, "E1", OrderStatus.PartiallyFilled, 1m); // before the place result: the update carries the id
        OrderAction late = grid.ClaimOpen(99m, quantity: 2m);
        grid.Place(late, "L1");
        grid.Update(late, null, OrderStatus.PartiallyFilled, 1m); // by client id only, after the place result

        await grid.Manager.FlushEventsAsync();
        Assert.Equal(["E1", "L1"], fills);
    }

    [Fact]
    public void AClosingFillThatFlattensThePosition_ClearsItsTargetsAtOnce_EvenBeforeTheOrderFinishes()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 90m, 110m, "set"));
        OrderAction close = grid.ClaimClose(100m, 101m);
        grid.Update(close, grid.Place(close), OrderStatus.PartiallyFilled, 1m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal((0m, SlotStatus.Live, (decimal?)null, (decimal?)null), (slot.Inventory, slot.Status, slot.StopLoss, slot.TakeProfit));
    }

    [Fact]
    public void AClosingPlaceClaimedUnderALease_DoesNotLapseWhileTheLeaseHolds()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        CloseOrder order = grid.Manager.ClaimCloseOrder(start.Lease!, 101m);
        Assert.NotNull(order.Action);

        // Any call that sweeps the slot (here a refused strategy claim) must leave the lease's claim alone.
        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 101m, 1m)).Rejection);

        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        Assert.Equal(0, grid.Manager.Counters.ClaimsLapsed);
    }

    /// <summary>A cancel given back leaves the order as it was before the cancel was claimed, even one the exchange had accepted first.</summary>
    [Fact]
    public void ACancelGivenBack_LeavesNoTraceInTheStoredOrder()
    {
        var grid = new TestGrid();
        OrderAction live = grid.ClaimOpen(100m);
        grid.Place(live, "X1");
        Wire.SlotOrder before = grid.Manager.CreateSnapshot().Slots.Single().Order.Clone();
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel)]);                // accepted...
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(cancel, "unknown order")]);  // ...then reported failed after all

        Wire.SlotOrder after = grid.Manager.CreateSnapshot().Slots.Single().Order;

        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        Assert.Equal(before, after);
    }
}
