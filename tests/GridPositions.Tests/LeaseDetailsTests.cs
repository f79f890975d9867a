namespace GridPositions.Tests;

/// <summary>The details of leases a user reads: what each refusal says, what a mismatch and a target history hold, what CloseAll includes.</summary>
public class LeaseDetailsTests
{
    private static TestGrid Holding()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        return grid;
    }

    [Fact]
    public void ALeaseOfTheWrongKind_OrFromAnotherManager_IsRefusedSayingSo()
    {
        TestGrid grid = Holding();
        PositionLease modify = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "test"));

        Assert.Contains("is not a close lease", Assert.Throws<ArgumentException>("lease", () => grid.Manager.ClaimCloseOrder(modify, 101m)).Message, StringComparison.Ordinal);
        Assert.Contains("is not a close lease", Assert.Throws<ArgumentException>("lease", () => grid.Manager.ClaimCancel(modify)).Message, StringComparison.Ordinal);
        modify.Dispose();
        PositionLease close = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        Assert.Contains("is not a modify lease", Assert.Throws<ArgumentException>("lease", () => grid.Manager.CompleteModify(close)).Message, StringComparison.Ordinal);

        TestGrid other = Holding();
        var foreign = Assert.Throws<ArgumentException>("lease", () => other.Manager.ClaimCloseOrder(close, 101m));
        Assert.Contains("was not granted by this manager", foreign.Message, StringComparison.Ordinal);
        Assert.Equal($"Close lease {close.FencingToken} on slot 100.00 until {close.ExpiresAt:O}", close.ToString());
    }

    [Fact]
    public void ALostLease_SaysWhetherItExpired_WasReleased_OrWasTakenOver()
    {
        TestGrid grid = Holding();
        PositionLease first = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        grid.Time.Advance(grid.Options.LeaseTimeout);

        Assert.Contains("expired at", Assert.Throws<LeaseLostException>(() => grid.Manager.ClaimCloseOrder(first, 101m)).Message, StringComparison.Ordinal);
        PositionLease second = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        Assert.Contains($"lease {second.FencingToken} holds the slot now", Assert.Throws<LeaseLostException>(() => first.Renew()).Message, StringComparison.Ordinal);
        second.Dispose();
        Assert.Contains("it was released or completed", Assert.Throws<LeaseLostException>(() => second.Renew()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOrderInFlight_IsNamedInTheRefusal()
    {
        TestGrid grid = Holding();
        OrderAction closing = grid.ClaimClose(100m, 101m);
        PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;

        var error = Assert.Throws<OrderInFlightException>(() => grid.Manager.ClaimCloseOrder(lease, 102m));

        Assert.Equal((100m, closing.ClientOrderId, SlotStatus.PendingPlace), (error.SlotPrice, error.ClientOrderId, error.Status));
        Assert.Contains($"still has order {closing.ClientOrderId} (PendingPlace)", error.Message, StringComparison.Ordinal);
        Assert.True(lease.IsHeld); // the lease is kept
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(0.5, -0.5)]
    public void AMismatch_IsTheExchangesQuantityMinusTheSlots(decimal onExchange, decimal difference)
    {
        TestGrid grid = Holding();

        PositionMismatch mismatch = grid.Manager.BeginClose(new CloseRequest(100m, onExchange)).Mismatch!;

        Assert.Equal((1m, onExchange, difference), (mismatch.Recorded, mismatch.OnExchange, mismatch.Difference));
        Assert.Equal(onExchange, grid.Slot(100m).Inventory);
    }

    [Theory]
    [InlineData(-1, "must be zero or positive")]
    [InlineData(0.0001, "must be zero or a positive multiple of the quantity step")]
    [InlineData(2e15, "beyond the bound")]
    public void ABadExchangeQuantity_IsRefusedSayingWhy(decimal quantity, string why)
    {
        TestGrid grid = Holding();

        var error = Assert.Throws<ArgumentException>("request", () => grid.Manager.BeginClose(new CloseRequest(100m, quantity)));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(LeaseKind.None, grid.Slot(100m).Lease);
    }

    [Fact]
    public void ATargetChange_KeepsTheTargetItDidNotName_AndTheHistoryKeepsTheLast32()
    {
        TestGrid grid = Holding();
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 90m, null, "stop"));
        grid.Manager.ModifyTargets(new ModifyRequest(100m, null, 110m, "target"));
        Assert.Equal((90m, 110m), (grid.Slot(100m).StopLoss, grid.Slot(100m).TakeProfit));

        for (int i = 0; i < 31; i++)
        {
            grid.Manager.ModifyTargets(new ModifyRequest(100m, 80m + (i * 0.01m), null, "trail " + i));
        }

        IReadOnlyList<TargetChange> history = grid.Manager.GetTargetHistory(100m);
        Assert.Equal(32, history.Count);
        Assert.Equal("target", history[0].Reason); // 33 changes: the oldest ("stop") went, 32 remain
        Assert.Equal("trail 30", history[^1].Reason);
        Assert.Equal(110m, history[^1].TakeProfit);
    }

    [Fact]
    public void CloseAll_ClosesWhatHoldsSomething_AndSkipsFlatLevels_EvenWhenTheExchangeSaysZero()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        OrderAction failed = grid.ClaimOpen(101m);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(failed, "rejected")]); // 101: a flat, free slot
        grid.ClaimOpen(102m); // 102: an order in flight

        FlattenPlan plan = grid.Manager.CloseAll(new Dictionary<decimal, decimal> { [103m] = 0m, [101m] = 0m });

        Assert.Equal([100m, 102m], plan.Closes.Select(c => c.Lease!.SlotPrice));
        Assert.All(plan.Closes, c => Assert.Equal(CloseStatus.Started, c.Status));
        Assert.DoesNotContain(grid.Manager.GetSlots(), s => s.Price == 103m);
    }

    [Fact]
    public void ClaimCancelUnderALease_IsCountedAsAClaim_AcceptedOrRejected()
    {
        TestGrid grid = Holding();
        PositionLease lease = grid.Manager.BeginClose(new CloseRequest(100m)).Lease!;
        ManagerCounters before = grid.Manager.Counters;

        Assert.Equal(ClaimRejection.NothingToCancel, grid.Manager.ClaimCancel(lease).Rejection);

        Assert.Equal((0L, 1L), (grid.Manager.Counters.ClaimsAccepted - before.ClaimsAccepted, grid.Manager.Counters.ClaimsRejected - before.ClaimsRejected));
    }
}
