namespace GridPositions.Tests;

public class ModifyTests
{
    private static TestGrid Holding(GridDirection direction = GridDirection.Long)
    {
        var grid = new TestGrid(direction);
        grid.OpenFilled(100m, 2m); // entry 100
        return grid;
    }

    [Fact]
    public async Task LongPosition_StopLossBelowAndTakeProfitAboveEntry_IsAcceptedAndRecordedWithItsReason()
    {
        TestGrid grid = Holding();
        var seen = new List<TargetsChangedEventArgs>();
        grid.Manager.TargetsChanged += (_, e) => { lock (seen) { seen.Add(e); } };

        TargetChange change = grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, 110m, "initial"));
        grid.Time.Advance(TimeSpan.FromMinutes(1));
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 98m, null, "trailing_stop"));

        SlotView slot = grid.Slot(100m);
        Assert.Equal((98m, 110m), (slot.StopLoss, slot.TakeProfit));
        Assert.Equal(new TargetChange(grid.Time.GetUtcNow() - TimeSpan.FromMinutes(1), 95m, 110m, "initial"), change);
        Assert.Equal(["initial", "trailing_stop"], grid.Manager.GetTargetHistory(100m).Select(c => c.Reason));
        Assert.Equal((98m, 110m), (grid.Manager.GetTargetHistory(100m)[1].StopLoss, grid.Manager.GetTargetHistory(100m)[1].TakeProfit));
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(2, seen.Count);
        Assert.Equal(LeaseKind.None, slot.Lease);
    }

    [Theory]
    [InlineData(GridDirection.Long, 101, null, "StopLoss 101 must be below the entry price")]
    [InlineData(GridDirection.Long, 100, null, "StopLoss 100 must be below")]
    [InlineData(GridDirection.Long, null, 99, "TakeProfit 99 must be above")]
    [InlineData(GridDirection.Short, 99, null, "StopLoss 99 must be above the entry price")]
    [InlineData(GridDirection.Short, null, 101, "TakeProfit 101 must be below")]
    public void TargetsOnTheWrongSideOfEntry_AreRefused_AndNothingChanges(GridDirection direction, int? stopLoss, int? takeProfit, string expected)
    {
        TestGrid grid = Holding(direction);

        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.ModifyTargets(new ModifyRequest(100m, stopLoss, takeProfit, "test")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        SlotView slot = grid.Slot(100m);
        Assert.Equal((null, null, LeaseKind.None), (slot.StopLoss, slot.TakeProfit, slot.Lease));
        Assert.Empty(grid.Manager.GetTargetHistory(100m));
    }

    [Fact]
    public void ShortPosition_StopLossAboveAndTakeProfitBelow_IsAccepted()
    {
        TestGrid grid = Holding(GridDirection.Short);
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 104m, 92m, "initial"));
        Assert.Equal((104m, 92m), (grid.Slot(100m).StopLoss, grid.Slot(100m).TakeProfit));
    }

    [Fact]
    public void ANewTargetMustStillFitTheOtherCurrentOne()
    {
        TestGrid grid = Holding();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, 110m, "initial"));
        // Only the stop-loss changes, but the pair must be valid as a whole: 95 < entry < 110 still holds.
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 99m, null, "tighten"));
        Assert.Equal(110m, grid.Slot(100m).TakeProfit);
    }

    [Theory]
    [InlineData(95.001, null, "x", "StopLoss")]
    [InlineData(null, 0.0, "x", "TakeProfit")]
    [InlineData(null, null, "x", "needs a StopLoss, a TakeProfit, or both")]
    [InlineData(95.0, null, " ", "needs a Reason")]
    public void MalformedRequests_AreRefusedNamingTheProblem(double? stopLoss, double? takeProfit, string reason, string expected)
    {
        TestGrid grid = Holding();
        var request = new ModifyRequest(100m, (decimal?)stopLoss, (decimal?)takeProfit, reason);
        Assert.Contains(expected, Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginModify(request)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModifyingWithoutAPosition_IsRefused()
    {
        var grid = new TestGrid();
        Assert.Throws<InvalidOperationException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "x")));
        grid.ClaimOpen(100m);
        Assert.Throws<InvalidOperationException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "x")));
    }

    [Fact]
    public void CloseAndModify_AreExclusive_BothWays()
    {
        TestGrid grid = Holding();
        PositionLease modify = grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "x"));
        Assert.Contains("being modified", Assert.Throws<PositionConflictException>(() => grid.Manager.BeginClose(new CloseRequest(100m))).Message, StringComparison.Ordinal);
        Assert.Throws<PositionConflictException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 96m, null, "y")));
        grid.Manager.CompleteModify(modify);

        CloseStart close = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Contains("already closing", Assert.Throws<PositionConflictException>(() => grid.Manager.BeginModify(new ModifyRequest(100m, 96m, null, "y"))).Message, StringComparison.Ordinal);
        close.Lease!.Dispose();
    }

    [Fact]
    public void AModifyThatOutlivedItsLease_CannotOverwriteTheTargetsOfTheOneAfterIt()
    {
        TestGrid grid = Holding();
        PositionLease slow = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "slow"));
        grid.Time.Advance(grid.Options.LeaseTimeout);
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 97m, null, "fast"));

        Assert.Throws<LeaseLostException>(() => grid.Manager.CompleteModify(slow));

        Assert.Equal(97m, grid.Slot(100m).StopLoss);
        Assert.Equal(["fast"], grid.Manager.GetTargetHistory(100m).Select(c => c.Reason));
    }

    [Fact]
    public void APositionClosedWhileItsTargetsWereBeingModified_RefusesTheCommit_AndEndsTheLease()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        OrderAction resting = grid.ClaimClose(100m, 105m);
        string restingId = grid.Place(resting);
        PositionLease modify = grid.Manager.BeginModify(new ModifyRequest(100m, 95m, null, "x"));
        grid.Update(resting, restingId, OrderStatus.Filled, 1m);

        Assert.Throws<InvalidOperationException>(() => grid.Manager.CompleteModify(modify));

        Assert.False(modify.IsHeld);
        Assert.Null(grid.Slot(100m).StopLoss);
    }

    [Fact]
    public void TargetsAndParametersGoWhenThePositionCloses()
    {
        var grid = new TestGrid();
        OrderAction open = grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 10, StopLossFraction = 0.05m });
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 1m);
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, 110m, "initial"));
        Assert.Equal((10, 0.05m, 95m, 110m), (grid.Slot(100m).Leverage, grid.Slot(100m).StopLossFraction, grid.Slot(100m).StopLoss, grid.Slot(100m).TakeProfit));

        OrderAction close = grid.ClaimClose(100m, 110m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);

        SlotView slot = grid.Slot(100m);
        Assert.Equal((null, null, null, null), (slot.Leverage, slot.StopLossFraction, slot.StopLoss, slot.TakeProfit));
        Assert.Single(grid.Manager.GetTargetHistory(100m)); // the record stays
    }

    [Fact]
    public void TargetsAndHistory_SurviveASnapshot()
    {
        TestGrid grid = Holding();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, 110m, "initial"));

        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);

        Assert.Equal(grid.Slot(100m), restored.GetSlot(100m));
        Assert.Equal(grid.Manager.GetTargetHistory(100m), restored.GetTargetHistory(100m));
    }
}
