namespace GridPositions.Tests;

public class ClaimTests
{
    [Fact]
    public void ClaimSlots_Place_ReturnsTokenAndClientIdAndMarksSlotPending()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 0.5m);

        Assert.True(action.ClaimToken > 0);
        Assert.StartsWith("gp", action.ClientOrderId, StringComparison.Ordinal);
        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.PendingPlace, slot.Status);
        Assert.Equal(action.ClientOrderId, slot.Order!.ClientOrderId);
        Assert.Equal(OrderRole.Open, slot.Order.Role);
        grid.AssertInvariants();
    }

    [Fact]
    public void ClaimSlots_ClientOrderIdIsIndexedAtClaimTime_SoAnUpdateBeforeTheResultFindsTheSlot()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        InputDisposition disposition = grid.Update(action, "X1", OrderStatus.New, 0m);

        Assert.Equal(InputDisposition.Applied, disposition);
        Assert.Equal(0, grid.Manager.ParkedUpdateCount);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void ClaimSlots_SecondClaimOfBusySlot_IsRefusedAsBusy_AndChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);

        ClaimResult second = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        Assert.False(second.IsAccepted);
        Assert.Equal(ClaimRejection.SlotBusy, second.Rejection);
        Assert.Equal(first.ClaimToken, grid.Slot(100m).Order!.ClaimToken);
    }

    [Fact]
    public void ClaimSlots_TwoRequestsForOneSlotInABatch_OnlyTheFirstWins()
    {
        var grid = new TestGrid();
        IReadOnlyList<ClaimResult> results = grid.Manager.ClaimSlots(
        [
            ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m),
            ClaimRequest.Place(100.00m, OrderSide.Buy, 100m, 1m),
        ]);

        Assert.True(results[0].IsAccepted);
        Assert.Equal(ClaimRejection.SlotBusy, results[1].Rejection);
    }

    [Fact]
    public void ClaimSlots_ClosingMoreThanHeld_IsRefusedAsOversell()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);

        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1.5m));

        Assert.Equal(ClaimRejection.WouldOversell, result.Rejection);
        Assert.Contains("holds 1", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ClaimSlots_ClosingAFlatSlot_IsRefusedAsOversell()
    {
        var grid = new TestGrid();
        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m));
        Assert.Equal(ClaimRejection.WouldOversell, result.Rejection);
    }

    [Fact]
    public void ClaimSlots_OpeningASlotThatHoldsAPosition_IsRefused()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);

        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        Assert.Equal(ClaimRejection.PositionAlreadyOpen, result.Rejection);
    }

    public static TheoryData<ClaimRequest, string> InvalidRequests => new()
    {
        { ClaimRequest.Place(100.005m, OrderSide.Buy, 100m, 1m), "SlotPrice" },
        { ClaimRequest.Place(-1m, OrderSide.Buy, 100m, 1m), "SlotPrice" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 100.001m, 1m), "Price" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 0m, 1m), "Price" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 100m, 0m), "Quantity" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 100m, -1m), "Quantity" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 100m, 0.0001m), "Quantity" },
        { ClaimRequest.Place(100m, OrderSide.Unspecified, 100m, 1m), "Side" },
        { ClaimRequest.Place(100m, (OrderSide)42, 100m, 1m), "Side" },
        { ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, " "), "ClientOrderId" },
        { new ClaimRequest { Type = (OrderActionType)9, SlotPrice = 100m }, "Type" },
        { default, "Type" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void ClaimSlots_MalformedRequest_IsRefusedAsInvalid_NamingTheField_AndCreatesNothing(ClaimRequest request, string field)
    {
        var grid = new TestGrid();

        ClaimResult result = grid.Manager.ClaimSlot(request);

        Assert.Equal(ClaimRejection.Invalid, result.Rejection);
        Assert.StartsWith(field, result.Detail, StringComparison.Ordinal);
        Assert.Empty(grid.Manager.GetSlots());
        Assert.Equal(1, grid.Manager.Counters.ClaimsRejected);
    }

    [Fact]
    public void ClaimSlots_ClientOrderIdAlreadyInUse_IsRefused()
    {
        var grid = new TestGrid();
        grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, "mine-1"));

        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m, "mine-1"));

        Assert.Equal(ClaimRejection.Invalid, result.Rejection);
        Assert.Null(grid.Manager.GetSlot(101m));
    }

    [Fact]
    public void ClaimSlots_ReadsTheCallersListBeforeTakingAnyLock()
    {
        var grid = new TestGrid();
        var list = new ListThatCallsTheManagerFromAnotherThread(grid.Manager, ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        grid.Manager.ClaimSlots(list);

        // Had the list been read under the manager's lock, the other thread could not have got in (it waits 30 s, then gives up).
        Assert.True(list.OtherThreadGotIn);
    }

    [Fact]
    public void ClaimSlots_Null_Throws() =>
        Assert.Throws<ArgumentNullException>("requests", () => new TestGrid().Manager.ClaimSlots(null!));

    [Fact]
    public void ClaimSlots_CancelOfLiveOrder_ReturnsCancelActionWithItsOwnToken()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        string orderId = grid.Place(place);

        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));

        Assert.Equal(OrderActionType.Cancel, cancel.Type);
        Assert.Equal(orderId, cancel.OrderId);
        Assert.Equal(place.ClientOrderId, cancel.ClientOrderId);
        Assert.NotEqual(place.ClaimToken, cancel.ClaimToken);
        Assert.Equal(SlotStatus.PendingCancel, grid.Slot(100m).Status);
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).Rejection);
    }

    [Fact]
    public void ClaimSlots_CancelWithNothingLive_IsRefused()
    {
        var grid = new TestGrid();
        Assert.Equal(ClaimRejection.NothingToCancel, grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).Rejection);
        grid.ClaimOpen(100m);
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Cancel(100m)).Rejection);
    }

    [Fact]
    public void ClaimSlots_GeneratedClientIds_AreUniqueAndNeverReuseACallersId()
    {
        var grid = new TestGrid();
        var ids = new HashSet<string>();
        for (int level = 0; level < 50; level++)
        {
            Assert.True(ids.Add(grid.ClaimOpen(100m + level).ClientOrderId));
        }

        Assert.Equal(50, ids.Count);
    }

    /// <summary>A caller's list whose every read calls the manager from another thread and waits for it.</summary>
    private sealed class ListThatCallsTheManagerFromAnotherThread(SuperPositionManager manager, ClaimRequest item) : IReadOnlyList<ClaimRequest>
    {
        public bool OtherThreadGotIn { get; private set; } = true;

        public int Count => 1;

        public ClaimRequest this[int index] => Read();

        public IEnumerator<ClaimRequest> GetEnumerator()
        {
            yield return Read();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private ClaimRequest Read()
        {
            OtherThreadGotIn &= Task.Run(manager.GetSlots).Wait(TimeSpan.FromSeconds(30));
            return item;
        }
    }
}
