namespace GridPositions.Tests;

/// <summary>
/// Issue 11, "every claim ends": a participant that dies (a closer, an executor) never leaves a slot that nobody can
/// move. Each claim is finished by its owner, by a timeout from the clock, or by reconciliation. Items by number.
/// </summary>
public class LivenessTests
{
    /// <summary>
    /// A grid whose claims time out only after an hour, so what ends a claim taken under a lease within a test is the
    /// lease's end alone.
    /// </summary>
    private static TestGrid LeaseBoundGrid() => new(options: new PositionManagerOptions
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        PendingClaimTimeout = TimeSpan.FromHours(1),
    });

    /// <summary>A long grid holding 1 at 100 with a live opening order at 100 (bought 1, resting for 1 more).</summary>
    private static (TestGrid Grid, OrderAction Live, string OrderId) HoldingWithALiveOrder()
    {
        TestGrid grid = LeaseBoundGrid();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(open);
        grid.Update(open, orderId, OrderStatus.PartiallyFilled, 1m);
        return (grid, open, orderId);
    }

    private static ReconciliationReport Reconcile(TestGrid grid, IReadOnlyList<ExchangeOrder> open, IReadOnlyList<ExchangeOrder>? closed = null)
    {
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        return grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), open, closed ?? []));
    }

    // ---- 1: a closer that dies after its cancel was claimed -------------------------------------------------------

    [Fact]
    public void Item1_ACloserThatDiesAfterItsCancelWasClaimed_LeavesAPositionTheNextCloserCanClose()
    {
        (TestGrid grid, OrderAction live, string orderId) = HoldingWithALiveOrder();
        CloseStart dead = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.NotNull(dead.CancelFirst); // claimed, never sent: the closer dies here
        grid.Time.Advance(grid.Options.LeaseTimeout);

        CloseStart rescue = grid.Manager.BeginClose(new CloseRequest(100m));

        Assert.Equal(CloseStatus.Started, rescue.Status);
        OrderAction cancel = Assert.IsType<OrderAction>(rescue.CancelFirst);
        Assert.NotEqual(dead.CancelFirst!.Value.ClaimToken, cancel.ClaimToken);
        Assert.Equal(InputDisposition.Stale, grid.Manager.ApplyActionResults([OrderActionResult.Canceled(dead.CancelFirst.Value)])[0].Disposition);
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel)]);
        grid.Update(live, orderId, OrderStatus.Canceled, 1m);
        OrderAction close = grid.Manager.ClaimCloseOrder(rescue.Lease!, 101m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);

        Assert.Equal((0m, SlotStatus.Free), (grid.Slot(100m).Inventory, grid.Slot(100m).Status));
        grid.AssertInvariants();
    }

    [Fact]
    public void Item1_ACancelClaimedUnderAnExpiredLease_GivesTheOrderBack_ForReconciliationAndTheStrategy()
    {
        (TestGrid grid, _, string orderId) = HoldingWithALiveOrder();
        grid.Manager.BeginClose(new CloseRequest(100m));
        grid.Time.Advance(grid.Options.LeaseTimeout);

        Reconcile(grid, [new ExchangeOrder(orderId, grid.Slot(100m).Order!.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.PartiallyFilled, 1m)]);

        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).IsAccepted);
        Assert.True(grid.Manager.Counters.ClaimsLapsed >= 1);
    }

    [Fact]
    public void Item1_ReleasingALease_EndsTheCancelClaimedUnderIt()
    {
        (TestGrid grid, _, _) = HoldingWithALiveOrder();
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status);

        start.Lease!.Dispose();

        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        grid.AssertInvariants();
    }

    [Fact]
    public void Item1_ACancelTheExchangeAlreadyAccepted_WaitsForItsTerminalUpdate_EvenAfterTheLeaseEnds()
    {
        (TestGrid grid, OrderAction live, string orderId) = HoldingWithALiveOrder();
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(start.CancelFirst!.Value)]);
        grid.Time.Advance(grid.Options.LeaseTimeout);

        grid.Manager.BeginClose(new CloseRequest(100m)).Lease!.Dispose();

        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status); // the order is going; no second cancel is needed
        grid.Update(live, orderId, OrderStatus.Canceled, 1m);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
    }

    [Fact]
    public void Item1_AClosingPlaceClaimedUnderAnExpiredLease_BecomesUnknown_AndReconciliationSettlesIt()
    {
        TestGrid grid = LeaseBoundGrid();
        grid.OpenFilled(100m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 101m).Action!.Value; // never sent
        grid.Time.Advance(grid.Options.LeaseTimeout);

        PositionLease rescuer = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!; // the rescuer holds the position...
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);                       // ...and the dead closer's place is ambiguous
        Assert.Throws<OrderInFlightException>(() => grid.Manager.ClaimCloseOrder(rescuer, 101m));
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(1));
        rescuer.Renew(); // the rescuer is alive and waits
        grid.Time.Advance(TimeSpan.FromSeconds(1));

        // Only reconciliation can settle an ambiguous order, so it does so even under the rescuer's lease.
        ReconciliationReport report = Reconcile(grid, []);

        Assert.Equal(1, report.Count(FindingKind.NeverPlaced));
        Assert.Equal((SlotStatus.Free, 1m), (grid.Slot(100m).Status, grid.Slot(100m).Inventory));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.ApplyActionResults([OrderActionResult.Failed(close, "late")])[0].Disposition);
        OrderAction second = grid.Manager.ClaimCloseOrder(rescuer, 101m).Action!.Value;
        grid.Update(second, grid.Place(second), OrderStatus.Filled, 1m);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }

    // ---- 2: the holder cancels an order that went live after the close began --------------------------------------

    [Fact]
    public void Item2_TheLeaseHolder_CancelsAnOrderWhosePlaceResultArrivedAfterTheCloseBegan()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        OrderAction closing = grid.ClaimClose(100m, 101m); // the strategy's close, in flight
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Null(start.CancelFirst);
        string orderId = grid.Place(closing); // its result lands after the close began: the order is live

        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).Rejection);
        Assert.Throws<OrderInFlightException>(() => grid.Manager.ClaimCloseOrder(start.Lease!, 99m));
        ClaimResult cancel = grid.Manager.ClaimCancel(start.Lease!);

        Assert.True(cancel.IsAccepted, cancel.Detail);
        Assert.Equal((OrderActionType.Cancel, orderId), (cancel.Action.Type, cancel.Action.OrderId));
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel.Action)]);
        grid.Update(closing, orderId, OrderStatus.Canceled, 0m);
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 99m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public void Item2_ClaimCancel_WithNothingToCancel_SaysSo_AndWithALostLease_Throws()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));

        Assert.Equal(ClaimRejection.NothingToCancel, grid.Manager.ClaimCancel(start.Lease!).Rejection);
        grid.Time.Advance(grid.Options.LeaseTimeout);
        Assert.Throws<LeaseLostException>(() => grid.Manager.ClaimCancel(start.Lease!));
        PositionLease modify = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "test"));
        Assert.Throws<ArgumentException>("lease", () => grid.Manager.ClaimCancel(modify));
    }

    // ---- 3: a place whose result never comes ----------------------------------------------------------------------

    [Fact]
    public void Item3_APlaceWithNoResultPastTheTimeout_IsUnknown_AndReconciliationAdoptsItByClientId()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m, 2m); // the executor dies with it
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        ReconciliationReport report = Reconcile(grid, [new ExchangeOrder("X9", place.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.PartiallyFilled, 0.5m)]);

        Assert.Equal(1, report.Count(FindingKind.UnknownResolved));
        Assert.Equal((SlotStatus.Live, "X9", 0.5m), (grid.Slot(100m).Status, grid.Slot(100m).Order!.OrderId, grid.Slot(100m).Inventory));
        grid.AssertInvariants();
    }

    [Fact]
    public void Item3_APlaceWithNoResultThatFinishedOnTheExchange_IsSettledFromTheClosedOrders()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m, 2m);
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        Reconcile(grid, [], closed: [new ExchangeOrder("X9", place.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.Filled, 2m)]);

        Assert.Equal((SlotStatus.Free, 2m), (grid.Slot(100m).Status, grid.Slot(100m).Inventory));
    }

    [Fact]
    public void Item3_APlaceWithNoResultNowhereOnTheExchange_IsFreedAfterTheGracePeriod_NotBefore()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        ReconciliationReport first = Reconcile(grid, []);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status); // just declared ambiguous: its request may still land
        Assert.Equal(FindingKind.Deferred, Assert.Single(first.Findings).Kind);

        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod);
        ReconciliationReport second = Reconcile(grid, []);

        Assert.Equal(FindingKind.NeverPlaced, Assert.Single(second.Findings).Kind);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.ClaimOpen(100m);
    }

    [Fact]
    public void Item3_APlaceYoungerThanTheTimeout_StaysPending_AndItsLateResultStillLands()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Time.Advance(grid.Options.PendingClaimTimeout - TimeSpan.FromSeconds(1));

        Reconcile(grid, []);

        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        grid.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m)).Rejection);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status); // the claim above saw the timeout pass
        grid.Place(place); // a result after the lapse is still its claim's: the order goes live
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void Item3_ACancelWithNoResultPastTheTimeout_GivesTheOrderBack()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        grid.Place(open);
        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        ClaimResult again = grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m));

        Assert.True(again.IsAccepted, again.Detail);
        Assert.NotEqual(cancel.ClaimToken, again.Action.ClaimToken);
        Assert.Equal(InputDisposition.Stale, grid.Manager.ApplyActionResults([OrderActionResult.Failed(cancel, "late")])[0].Disposition);
        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status);
    }

    [Fact]
    public void Item3_NoClaimIsPendingLongerThanItsTimeoutPlusOneReconciliation()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);
        grid.ClaimOpen(101m);
        (OrderAction live, string orderId) = (grid.ClaimOpen(102m, 2m), "L1");
        grid.Place(live, orderId);
        grid.Claim(ClaimRequest.Cancel(102m));
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        Reconcile(grid, [new ExchangeOrder(orderId, live.ClientOrderId, OrderSide.Buy, 102m, 2m, OrderStatus.New, 0m)]);

        Assert.DoesNotContain(grid.Manager.GetSlots(), s => s.Status is SlotStatus.PendingPlace or SlotStatus.PendingCancel);
        Assert.Equal(3, grid.Manager.Counters.ClaimsLapsed);
    }

    [Fact]
    public void Item3_PendingClaimTimeout_MustBePositive()
    {
        var options = new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m, PendingClaimTimeout = TimeSpan.Zero };

        Assert.Throws<ArgumentException>("PendingClaimTimeout", () => new SuperPositionManager(options));
    }

    // ---- 4: renewing a lease ---------------------------------------------------------------------------------------

    [Fact]
    public void Item4_ARenewedLease_OutlivesItsFirstTimeout()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        grid.Time.Advance(grid.Options.LeaseTimeout - TimeSpan.FromSeconds(1));

        DateTimeOffset renewed = lease.Renew();

        Assert.Equal(grid.Time.GetUtcNow() + grid.Options.LeaseTimeout, renewed);
        Assert.Equal(renewed, lease.ExpiresAt);
        Assert.Equal(renewed, grid.Slot(100m).LeaseExpiresAt);
        grid.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(lease.IsHeld);
        Assert.Throws<PositionConflictException>(() => grid.Manager.BeginClose(new CloseRequest(100m)));
        Assert.NotNull(grid.Manager.ClaimCloseOrder(lease, 101m).Action);
    }

    [Fact]
    public void Item4_RenewingAnExpiredOrReleasedLease_IsRefused()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        grid.OpenFilled(101m);
        PositionLease expired = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        PositionLease released = grid.Manager.BeginClose(new CloseRequest(101m)).Lease!;
        released.Dispose();
        grid.Time.Advance(grid.Options.LeaseTimeout);

        Assert.Throws<LeaseLostException>(() => expired.Renew());
        Assert.Throws<LeaseLostException>(() => released.Renew());
        Assert.False(expired.IsHeld);
    }

    // ---- API: a refused claim cannot be sent by mistake -----------------------------------------------------------

    [Fact]
    public void ARefusedClaimsAction_ThrowsWithTheReason_AndTryGetActionSaysNo()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);

        ClaimResult refused = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m));

        var error = Assert.Throws<InvalidOperationException>(() => refused.Action);
        Assert.Contains("SlotBusy", error.Message, StringComparison.Ordinal);
        Assert.False(refused.TryGetAction(out OrderAction none));
        Assert.Equal(default, none);
        Assert.Contains("SlotBusy", refused.ToString(), StringComparison.Ordinal);
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Place(101m, grid.Opening, 101m, 1m)).TryGetAction(out OrderAction sent));
        Assert.Equal(101m, sent.SlotPrice);
    }
}
