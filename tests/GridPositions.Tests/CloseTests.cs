namespace GridPositions.Tests;

public class CloseTests
{
    /// <summary>A long grid holding <paramref name="quantity"/> at 100 (bought at 100, fee 0.1), no order in flight.</summary>
    private static TestGrid Holding(decimal quantity = 1m)
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, quantity, fee: 0.1m);
        return grid;
    }

    [Fact]
    public void BeginClose_ThenClaimCloseOrder_ClosesTheWholePosition_AndTheLeaseCompletesWhenFlat()
    {
        TestGrid grid = Holding(2m);

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Equal(CloseStatus.Started, start.Status);
        Assert.Null(start.CancelFirst);
        PositionLease lease = start.Lease!;
        Assert.True(lease.IsHeld);
        Assert.Equal(LeaseKind.Close, grid.Slot(100m).Lease);

        OrderAction close = grid.Manager.ClaimCloseOrder(lease, 99m).Action!.Value;
        Assert.Equal((OrderSide.Sell, 2m, 99m), (close.Side, close.Quantity, close.Price));
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 2m, quote: 198m, fee: 0.2m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal(0m, slot.Inventory);
        Assert.Equal(198m - 200m - 0.1m - 0.2m, slot.RealizedPnl);
        Assert.False(lease.IsHeld);
        Assert.Equal(LeaseKind.None, slot.Lease);
        grid.AssertInvariants();
    }

    [Fact]
    public void ConcurrentCloses_OneWins_TheRestGetAConflictSayingItIsAlreadyClosing()
    {
        TestGrid grid = Holding();
        CloseStart first = grid.Manager.BeginClose(new CloseRequest(100m));

        var conflict = Assert.Throws<PositionConflictException>(() => grid.Manager.BeginClose(new CloseRequest(100m)));

        Assert.Contains("already closing", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(100m, conflict.SlotPrice);
        Assert.Equal(LeaseKind.Close, conflict.HeldFor);
        Assert.True(first.Lease!.IsHeld);
    }

    [Fact]
    public void ClosingAnAlreadyClosedPosition_IsAGracefulNoOp()
    {
        TestGrid grid = Holding();
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 101m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);
        decimal pnl = grid.Slot(100m).RealizedPnl;

        CloseStart again = grid.Manager.BeginClose(new CloseRequest(100m));

        Assert.Equal(CloseStatus.AlreadyFlat, again.Status);
        Assert.Null(again.Lease);
        Assert.Equal(pnl, grid.Slot(100m).RealizedPnl);
        Assert.Equal(CloseStatus.AlreadyFlat, grid.Manager.BeginClose(new CloseRequest(250m)).Status); // no slot at all
    }

    [Fact]
    public void Close_CancelsTheLiveOrderFirst_SoNoOrderIsLeftOrphaned()
    {
        TestGrid grid = Holding();
        OrderAction resting = grid.ClaimClose(100m, 105m);
        string restingId = grid.Place(resting);

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));

        OrderAction cancel = start.CancelFirst!.Value;
        Assert.Equal((OrderActionType.Cancel, restingId), (cancel.Type, cancel.OrderId));
        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status);
        Assert.Throws<OrderInFlightException>(() => grid.Manager.ClaimCloseOrder(start.Lease!, 99m));

        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(cancel)]);
        grid.Update(resting, restingId, OrderStatus.Canceled, 0m);
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 99m).Action!.Value;

        Assert.Equal(1m, close.Quantity);
        Assert.NotEqual(resting.ClientOrderId, close.ClientOrderId);
        grid.AssertInvariants();
    }

    [Fact]
    public void Close_OfAPartlyFilledRestingCloser_ClosesOnlyWhatIsLeft_AndBooksEachFillOnce()
    {
        TestGrid grid = Holding(3m);
        OrderAction resting = grid.ClaimClose(100m, 105m, 3m);
        string restingId = grid.Place(resting);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));

        // The resting order fills 1 before the cancel lands.
        grid.Update(resting, restingId, OrderStatus.PartiallyFilled, 1m);
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(start.CancelFirst!.Value)]);
        grid.Update(resting, restingId, OrderStatus.Canceled, 1m);
        grid.Update(resting, restingId, OrderStatus.PartiallyFilled, 1m); // a late duplicate
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 99m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 2m);

        Assert.Equal(2m, close.Quantity);
        Assert.Equal(105m + 198m - 300m - 0.1m, grid.Slot(100m).RealizedPnl);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public void StrategyClaims_AreRefusedWhileTheCloseLeaseIsHeld()
    {
        TestGrid grid = Holding();
        OrderAction resting = grid.ClaimClose(100m, 105m);
        grid.Place(resting);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(start.CancelFirst!.Value, "timeout")]); // order live again

        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).Rejection);
        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 104m, 1m)).Rejection);

        start.Lease!.Dispose();
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).IsAccepted);
    }

    [Fact]
    public void ALeaseNeverFinished_ReleasesAfterTheTimeout_AndTheLateFinisherIsRefused()
    {
        TestGrid grid = Holding();
        CloseStart crashed = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Throws<PositionConflictException>(() => grid.Manager.BeginClose(new CloseRequest(100m)));

        grid.Time.Advance(grid.Options.LeaseTimeout);

        Assert.False(crashed.Lease!.IsHeld);
        Assert.Contains("expired", Assert.Throws<LeaseLostException>(() => grid.Manager.ClaimCloseOrder(crashed.Lease, 99m)).Message, StringComparison.Ordinal);
        CloseStart successor = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.True(successor.Lease!.FencingToken > crashed.Lease.FencingToken);
        var lost = Assert.Throws<LeaseLostException>(() => grid.Manager.ClaimCloseOrder(crashed.Lease, 99m));
        Assert.Contains($"lease {successor.Lease.FencingToken} holds the slot now", lost.Message, StringComparison.Ordinal);

        crashed.Lease.Dispose(); // the late finisher's cleanup must not free the successor's lease
        Assert.True(successor.Lease.IsHeld);
        Assert.NotNull(grid.Manager.ClaimCloseOrder(successor.Lease, 99m).Action);
    }

    [Fact]
    public void AnExpiredCloseLease_NoLongerBlocksTheStrategy()
    {
        TestGrid grid = Holding();
        grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 104m, 1m)).Rejection);

        grid.Time.Advance(grid.Options.LeaseTimeout);

        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 104m, 1m)).IsAccepted);
    }

    [Fact]
    public void Releasing_IsSafeTwice_AfterCompletion_AndFromAFinallyAfterAnException()
    {
        TestGrid grid = Holding();
        PositionLease? seen = null;
        void CloseButTheExchangeTimesOut()
        {
            using PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
            seen = lease;
            throw new TimeoutException("the exchange did not answer");
        }

        Assert.Throws<TimeoutException>(CloseButTheExchangeTimesOut);

        Assert.False(seen!.IsHeld);
        seen.Dispose();
        seen.Dispose();
        CloseStart next = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction close = grid.Manager.ClaimCloseOrder(next.Lease!, 99m).Action!.Value;
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);
        next.Lease!.Dispose(); // after completion
        grid.AssertInvariants();
    }

    [Fact]
    public void ExchangeSaysFlat_TheCloseIsASuccessfulNoOp_ThatMarksTheSlotFlat_AndIsIdempotent()
    {
        TestGrid grid = Holding(2m);
        decimal pnlBefore = grid.Slot(100m).RealizedPnl;

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m));

        Assert.Equal(CloseStatus.AlreadyFlat, start.Status);
        Assert.Equal(new PositionMismatch(100m, 2m, 0m), start.Mismatch);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
        Assert.Equal(pnlBefore, grid.Slot(100m).RealizedPnl); // nothing realised: the exit is unknown
        grid.AssertInvariants();

        CloseStart again = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m));
        Assert.Equal(CloseStatus.AlreadyFlat, again.Status);
        Assert.Null(again.Mismatch);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("3")]
    public void ExchangeQuantityDiffers_TheCloseUsesItAndReportsTheMismatch(string onExchangeText)
    {
        decimal onExchange = decimal.Parse(onExchangeText, System.Globalization.CultureInfo.InvariantCulture);
        TestGrid grid = Holding(2m);

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, onExchange));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 101m).Action!.Value;

        Assert.Equal(new PositionMismatch(100m, 2m, onExchange), start.Mismatch);
        Assert.Equal(onExchange, close.Quantity);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, onExchange);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
        Assert.Equal(onExchange * 101m - onExchange * 100m - 0.1m * Math.Min(onExchange, 2m) / 2m, grid.Slot(100m).RealizedPnl);
        grid.AssertInvariants();
    }

    [Fact]
    public void ExchangeQuantityGivenWhileAnOrderIsInFlight_IsComparedWhenTheClosingOrderIsClaimed()
    {
        TestGrid grid = Holding(2m);
        OrderAction resting = grid.ClaimClose(100m, 105m, 2m);
        string restingId = grid.Place(resting);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m));
        Assert.Null(start.Mismatch); // not compared: the resting order's fills may still be on their way

        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(start.CancelFirst!.Value)]);
        grid.Update(resting, restingId, OrderStatus.Canceled, 0m);
        CloseOrder result = grid.Manager.ClaimCloseOrder(start.Lease!, 99m, exchangeQuantity: 0m);

        Assert.Null(result.Action);
        Assert.Equal(new PositionMismatch(100m, 2m, 0m), result.Mismatch);
        Assert.False(start.Lease!.IsHeld);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public void CloseAll_ClosesEveryPositionAndCancelsEveryLiveOrder_AndReportsConflicts()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        grid.OpenFilled(99m, 1m);
        grid.Place(grid.ClaimOpen(98m));                  // flat, live opening order
        grid.ClaimOpen(97m);                              // flat, place pending
        grid.Manager.BeginModify(new ModifyRequest(99m, 90m, null, "risk"));

        FlattenPlan plan = grid.Manager.CloseAll();

        Assert.Equal([97m, 98m, 100m], plan.Closes.Select(c => c.Lease!.SlotPrice));
        Assert.NotNull(plan.Closes.Single(c => c.Lease!.SlotPrice == 98m).CancelFirst);
        Assert.Null(plan.Closes.Single(c => c.Lease!.SlotPrice == 97m).CancelFirst); // its place result comes first
        Assert.Equal(99m, Assert.Single(plan.Conflicts).SlotPrice);
    }

    [Fact]
    public void BadInput_IsRefusedWithAClearError_AndChangesNothing()
    {
        TestGrid grid = Holding();
        Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginClose(new CloseRequest(100.001m)));
        Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginClose(new CloseRequest(100m, -1m)));
        Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginClose(new CloseRequest(100m, 0.0001m)));
        Assert.Equal(LeaseKind.None, grid.Slot(100m).Lease);

        PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        Assert.Throws<ArgumentException>("price", () => grid.Manager.ClaimCloseOrder(lease, 0m));
        Assert.Throws<ArgumentException>("exchangeQuantity", () => grid.Manager.ClaimCloseOrder(lease, 99m, -2m));
        Assert.Throws<ArgumentNullException>("lease", () => grid.Manager.ClaimCloseOrder(null!, 99m));
        TestGrid stranger = Holding();
        Assert.Throws<ArgumentException>("lease", () => stranger.Manager.ClaimCloseOrder(lease, 99m));
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
    }
}
