namespace GridPositions.Tests;

/// <summary>
/// Leases as rules: adjusting a slot to the exchange's quantity (the cost basis used, the bound, targets cleared when
/// flat), modifies (targets checked against the entry in both directions, at the boundary, with the current targets
/// filling in), and what a lease's holder may still do once it ends.
/// </summary>
public class LeaseRulesTests
{
    [Fact]
    public void AddedExchangeInventory_IsCostedAtTheSlotsAverageEntry_NotItsLevel()
    {
        var grid = new TestGrid();
        OrderAction buy = grid.ClaimOpen(100m, price: 99m);
        grid.Update(buy, grid.Place(buy), OrderStatus.Filled, 1m);

        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 2m));

        Assert.Equal(new PositionMismatch(100m, 1m, 2m), start.Mismatch);
        Assert.Equal((2m, 198m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional));
    }

    [Fact]
    public void ExchangeInventoryWhoseCostIsBeyondDecimalItself_IsRefusedLikeAnyOtherBeyondTheBound()
    {
        var grid = new TestGrid();

        // Both at the bound: their product (10^30) does not fit a decimal at all, so it must never be computed.
        var error = Assert.Throws<ArgumentException>("exchangeQuantity", () => grid.Manager.BeginClose(new CloseRequest(SuperPositionManager.MaxAmount, ExchangeQuantity: SuperPositionManager.MaxAmount)));

        Assert.StartsWith("The exchange quantity 1000000000000000 at the entry price 1000000000000000", error.Message, StringComparison.Ordinal);
        Assert.Null(grid.Manager.GetSlot(SuperPositionManager.MaxAmount));
    }

    [Fact]
    public void ExchangeInventoryWhoseCostIsBeyondTheBound_IsRefused_SayingSo_AndNothingChanges()
    {
        var grid = new TestGrid();
        var error = Assert.Throws<ArgumentException>("exchangeQuantity", () => grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 100_000_000_000_000m)));
        Assert.StartsWith("The exchange quantity 100000000000000 at the entry price 100.00 of slot 100.00 is beyond the bound of 1,000,000,000,000,000.", error.Message, StringComparison.Ordinal);
        Assert.Null(grid.Manager.GetSlot(100m));

        CloseStart atTheBound = grid.Manager.BeginClose(new CloseRequest(0.01m, ExchangeQuantity: SuperPositionManager.MaxAmount));
        Assert.Equal(CloseStatus.Started, atTheBound.Status);
        Assert.Equal(SuperPositionManager.MaxAmount, grid.Slot(0.01m).Inventory);
    }

    [Fact]
    public async Task AdjustingToFlat_ClearsThePositionsTargets_JournalsAndAnnouncesIt_WhileAdjustingUpKeepsThem()
    {
        var grid = new TestGrid();
        var views = new List<SlotView>();
        grid.Manager.SlotChanged += (_, e) => views.Add(e.Slot);
        foreach (decimal level in new[] { 100m, 99m })
        {
            OrderAction buy = grid.Claim(ClaimRequest.Place(level, grid.Opening, level, 1m) with { Leverage = 3 });
            grid.Update(buy, grid.Place(buy), OrderStatus.Filled, 1m);
            grid.Manager.ModifyTargets(new ModifyRequest(level, level - 10m, level + 10m, "set"));
        }

        CloseStart flat = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m));
        CloseStart more = grid.Manager.BeginClose(new CloseRequest(99m, ExchangeQuantity: 2m));

        Assert.Equal((CloseStatus.AlreadyFlat, new PositionMismatch(100m, 1m, 0m)), (flat.Status, flat.Mismatch));
        SlotView cleared = grid.Slot(100m);
        Assert.Equal((0m, (int?)null, (decimal?)null, (decimal?)null), (cleared.Inventory, cleared.Leverage, cleared.StopLoss, cleared.TakeProfit));
        SlotView kept = grid.Slot(99m);
        Assert.Equal((2m, (int?)3, (decimal?)89m, (decimal?)109m), (kept.Inventory, kept.Leverage, kept.StopLoss, kept.TakeProfit));
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(cleared, views.Last(v => v.Price == 100m)); // the flattening was announced (and journaled: the same call records it)
    }

    [Fact]
    public void AModify_ChecksTheTargetsWithTheCurrentOnesFillingIn_AndChangesOnlyWhatItNames()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 90m, 110m, "first"));

        TargetChange second = grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 120m, "raise the take-profit"));

        Assert.Equal((90m, 120m), (second.StopLoss!.Value, second.TakeProfit!.Value));
        Assert.Equal((90m, 120m), (grid.Slot(100m).StopLoss!.Value, grid.Slot(100m).TakeProfit!.Value));
        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.ModifyTargets(new ModifyRequest(100m, 105m, null, "stop above entry")));
        Assert.True(error.Message.StartsWith("StopLoss 105 must be below the entry price 100 of the long position at 100.00.", StringComparison.Ordinal), error.Message);
        Assert.Equal(2, grid.Manager.GetTargetHistory(100m).Count);
    }

    [Theory]
    [InlineData(GridDirection.Long, 100, null, "StopLoss 100 must be below the entry price 100 of the long position at 100.00.")]
    [InlineData(GridDirection.Long, null, 100, "TakeProfit 100 must be above the entry price 100 of the long position at 100.00.")]
    [InlineData(GridDirection.Short, 100, null, "StopLoss 100 must be above the entry price 100 of the short position at 100.00.")]
    [InlineData(GridDirection.Short, null, 100, "TakeProfit 100 must be below the entry price 100 of the short position at 100.00.")]
    [InlineData(GridDirection.Short, 95, null, "StopLoss 95 must be above the entry price 100 of the short position at 100.00.")]
    [InlineData(GridDirection.Short, null, 105, "TakeProfit 105 must be below the entry price 100 of the short position at 100.00.")]
    public void ATargetAtOrOnTheWrongSideOfTheEntry_IsRefused_InEitherDirection(GridDirection direction, int? stopLoss, int? takeProfit, string expected)
    {
        var grid = new TestGrid(direction);
        grid.OpenFilled(100m);
        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginModify(new ModifyRequest(100m, stopLoss, takeProfit, "test")));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(LeaseKind.None, grid.Slot(100m).Lease);
    }

    [Fact]
    public void ModifyRefusals_SayWhy_AndAnUnknownLevelHasNoHistory()
    {
        var grid = new TestGrid();
        Assert.Equal("Slot 100 holds no position to modify.", Assert.Throws<InvalidOperationException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "x"))).Message);
        grid.ClaimOpen(100m);
        Assert.Equal("Slot 100.00 holds no position to modify.", Assert.Throws<InvalidOperationException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "x"))).Message);
        Assert.Empty(grid.Manager.GetTargetHistory(55m));
        Assert.Throws<ArgumentNullException>("lease", () => grid.Manager.CompleteModify(null!));
        Assert.Throws<ArgumentNullException>("lease", () => grid.Manager.ClaimCancel((PositionLease)null!));
    }

    [Fact]
    public async Task APositionClosedDuringAModify_EndsTheLease_SayingWhy_AndAnnouncesIt()
    {
        var grid = new TestGrid();
        var seen = new List<SlotView>();
        grid.Manager.SlotChanged += (_, e) => seen.Add(e.Slot);
        grid.OpenFilled(100m, quantity: 2m);
        OrderAction close = grid.ClaimClose(100m, 101m, quantity: 2m);
        string closeId = grid.Place(close);
        PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "tighten"));
        grid.Update(close, closeId, OrderStatus.Filled, 2m);

        var error = Assert.Throws<InvalidOperationException>(() => grid.Manager.CompleteModify(lease));

        Assert.Equal("The position at 100.00 was closed while its targets were being modified.", error.Message);
        Assert.Equal(LeaseKind.None, grid.Slot(100m).Lease);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal((LeaseKind.Modify, LeaseKind.None), (seen[^2].Lease, seen[^1].Lease)); // the fill left the lease; the refusal ended it
    }

    [Fact]
    public async Task ReleasingALeaseTwice_ChangesTheSlotOnce_AndALapsedCancelIsCounted()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, quantity: 2m);
        OrderAction close = grid.ClaimClose(100m, 101m);
        grid.Place(close);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m)); // claims the cancel of the live close
        Assert.NotNull(start.CancelFirst);
        var changes = 0;
        grid.Manager.SlotChanged += (_, _) => Interlocked.Increment(ref changes);

        start.Lease!.Dispose();
        long lapsed = grid.Manager.Counters.ClaimsLapsed;
        start.Lease.Dispose();

        Assert.Equal(1, lapsed);
        Assert.Equal(1, grid.Manager.Counters.ClaimsLapsed);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(1, changes);
        Assert.Equal((SlotStatus.Live, false), (grid.Slot(100m).Status, grid.Slot(100m).Order!.CancelPending));
    }

    /// <summary>An opening order of 2, half filled at 100: the position is open while the rest can still fill.</summary>
    private static (TestGrid Grid, OrderAction Open, string Id) HalfFilled()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, quantity: 2m);
        string id = grid.Place(open);
        grid.Update(open, id, OrderStatus.PartiallyFilled, 1m, quote: 100m);
        return (grid, open, id);
    }

    [Fact]
    public void TargetsThatAFillDuringTheModifyMadeWrong_AreRefusedAtCompletion_AndTheLeaseIsKept()
    {
        (TestGrid grid, OrderAction open, string id) = HalfFilled();
        PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 99.5m, null, "tighten"));
        grid.Update(open, id, OrderStatus.Filled, 2m, quote: 199m); // the rest fills at 99: entry 99.5

        var error = Assert.Throws<InvalidOperationException>(() => grid.Manager.CompleteModify(lease));

        Assert.Equal("The targets no longer fit the position: StopLoss 99.5 must be below the entry price 99.5 of the long position at 100.00.", error.Message);
        Assert.Equal(LeaseKind.Modify, grid.Slot(100m).Lease);
    }

    [Fact]
    public void AModifyOfOneTarget_RechecksTheOtherAgainstTheEntryNow()
    {
        (TestGrid grid, OrderAction open, string id) = HalfFilled();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 101m, "take profit"));
        grid.Update(open, id, OrderStatus.Filled, 2m, quote: 202m); // the rest fills at 102: entry 101, the take-profit no longer above it

        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, null, "stop")));

        Assert.StartsWith("TakeProfit 101 must be above the entry price 101 of the long position at 100.00.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A grid whose leases outlast an unanswered claim, and a long position of 1 at 100.</summary>
    private static TestGrid LongLeases()
    {
        var grid = new TestGrid(options: new PositionManagerOptions
        {
            Symbol = "BTCUSDT",
            TickSize = 0.01m,
            QuantityStep = 0.001m,
            LeaseTimeout = TimeSpan.FromMinutes(5),
        });
        grid.OpenFilled(100m);
        return grid;
    }

    [Fact]
    public void ACloseOrderClaimThatOutlivedItsTimeout_IsFoundAmbiguous_ByTheLeaseHoldersNextClaim()
    {
        TestGrid grid = LongLeases();
        PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        OrderAction unanswered = grid.Manager.ClaimCloseOrder(lease, 101m).Action!.Value; // the executor never reports
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        var error = Assert.Throws<OrderInFlightException>(() => grid.Manager.ClaimCloseOrder(lease, 101m));

        Assert.Equal($"Slot 100.00 still has order {unanswered.ClientOrderId} (Unknown); its cancel or result must land before the closing order.", error.Message);
        Assert.Equal((SlotStatus.Unknown, 1L), (grid.Slot(100m).Status, grid.Manager.Counters.ClaimsLapsed));
        Assert.True(lease.IsHeld);
    }

    [Fact]
    public void ACancelClaimThatOutlivedItsTimeout_IsGivenBack_SoTheLeaseHolderCanClaimTheCancelAgain()
    {
        TestGrid grid = LongLeases();
        OrderAction resting = grid.ClaimClose(100m, 105m);
        grid.Place(resting);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction first = start.CancelFirst!.Value;                          // the executor never reports
        grid.Time.Advance(grid.Options.PendingClaimTimeout);

        ClaimResult again = grid.Manager.ClaimCancel(start.Lease!);

        Assert.Equal(ClaimRejection.None, again.Rejection);
        Assert.True(again.Action.ClaimToken > first.ClaimToken);
        Assert.Equal((SlotStatus.PendingCancel, 1L), (grid.Slot(100m).Status, grid.Manager.Counters.ClaimsLapsed));
    }

    [Fact]
    public void AModifyNamingOnlyTheTakeProfit_StillChecksTheCurrentStopLoss()
    {
        (TestGrid grid, OrderAction open, string id) = HalfFilled();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 99.5m, null, "stop"));
        grid.Update(open, id, OrderStatus.Filled, 2m, quote: 199m); // the rest fills at 99: entry 99.5, the stop no longer below it

        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 105m, "take profit")));

        Assert.StartsWith("StopLoss 99.5 must be below the entry price 99.5 of the long position at 100.00.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewTakeProfit_ReplacesTheCurrentOneInTheCheck()
    {
        (TestGrid grid, _, _) = HalfFilled();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 101m, "take profit"));

        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 99.5m, "lower take profit")));

        Assert.StartsWith("TakeProfit 99.5 must be above the entry price 100 of the long position at 100.00.", error.Message, StringComparison.Ordinal);
        Assert.Equal(101m, grid.Slot(100m).TakeProfit);
    }
}
