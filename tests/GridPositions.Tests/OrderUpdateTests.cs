namespace GridPositions.Tests;

public class OrderUpdateTests
{
    [Fact]
    public void FillBeforeThePlaceResult_IsBooked_AndTheSlotIsNotLeftStuck()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        Assert.Equal(InputDisposition.Applied, grid.Update(action, "X1", OrderStatus.Filled, 1m));
        ResultOutcome late = grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, "X1")])[0];

        Assert.Equal(InputDisposition.Duplicate, late.Disposition);
        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.Free, slot.Status); // not LOCKED with no live order
        Assert.Equal(1m, slot.Inventory);
        grid.ClaimClose(100m, 101m);                 // and the position can be closed
        grid.AssertInvariants();
    }

    [Fact]
    public void DuplicateFillUpdates_AreBookedOnce()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);

        Assert.Equal(InputDisposition.Applied, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m));

        Assert.Equal(1m, grid.Slot(100m).Inventory);
        Assert.Equal(1, grid.Manager.Counters.FillsApplied);
        Assert.Equal(2, grid.Manager.Counters.UpdatesDuplicate);
    }

    [Fact]
    public void OlderUpdateArrivingLate_ChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 3m);
        string orderId = grid.Place(action);

        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 2m);
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.New, 0m));

        Assert.Equal(2m, grid.Slot(100m).Inventory);
        Assert.Equal(2m, grid.Slot(100m).Order!.FilledQuantity);
    }

    [Fact]
    public void SkippedIntermediateUpdates_BookTheWholeGrowth()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 3m);
        string orderId = grid.Place(action);

        grid.Update(action, orderId, OrderStatus.Filled, 3m, quote: 299.5m);

        Assert.Equal(3m, grid.Slot(100m).Inventory);
        Assert.Equal(299.5m, grid.Slot(100m).EntryNotional);
    }

    [Fact]
    public void PartialFillThenCancel_KeepsTheFilledInventory()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);

        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 0.7m);
        Assert.Equal(InputDisposition.Applied, grid.Update(action, orderId, OrderStatus.Canceled, 0.7m));

        SlotView slot = grid.Slot(100m);
        Assert.Equal(SlotStatus.Free, slot.Status);
        Assert.Equal(0.7m, slot.Inventory);
        Assert.Equal(PositionStatus.Open, slot.PositionStatus);
        grid.AssertInvariants();
    }

    [Fact]
    public void CancelCarryingAFillNeverSeen_BooksIt()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);

        grid.Update(action, orderId, OrderStatus.Canceled, 1.2m);

        Assert.Equal(1.2m, grid.Slot(100m).Inventory);
    }

    [Theory]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.Canceled)]
    public void RejectedExpiredAndCanceled_FreeTheSlot(OrderStatus terminal)
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        string orderId = grid.Place(action);

        Assert.Equal(InputDisposition.Applied, grid.Update(action, orderId, terminal, 0m));

        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        grid.AssertInvariants();
        grid.ClaimOpen(100m);
    }

    [Theory]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.Expired)]
    public void RejectedOrExpiredBeforeThePlaceResult_FreeTheSlot_AndTheLateResultIsADuplicate(OrderStatus terminal)
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);

        grid.Update(action, "X1", terminal, 0m);
        ResultOutcome late = grid.Manager.ApplyActionResults([OrderActionResult.Placed(action, "X1")])[0];

        Assert.Equal(InputDisposition.Duplicate, late.Disposition);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
    }

    [Fact]
    public void TerminalStatesAreFinal_ALaterNewOrPartialUpdateDoesNotRevive()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.Filled, 2m);

        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.New, 0m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m));
        Assert.Equal(InputDisposition.Duplicate, grid.Update(action, orderId, OrderStatus.Filled, 2m));

        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
        Assert.Equal(2m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public async Task FillReportedAfterTheOrderFinished_IsRejectedAndSurfaced()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => { lock (rejected) { rejected.Add(e); } };
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.Canceled, 1m);

        Assert.Equal(InputDisposition.Rejected, grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1.5m));

        Assert.Equal(1m, grid.Slot(100m).Inventory);
        await grid.Manager.FlushEventsAsync();
        Assert.Single(rejected);
    }

    [Fact]
    public async Task Overfill_IsRejected_Counted_AndSurfaced_AndChangesNothing()
    {
        var grid = new TestGrid();
        var rejected = new List<InputRejectedEventArgs>();
        grid.Manager.InputRejected += (_, e) => { lock (rejected) { rejected.Add(e); } };
        OrderAction action = grid.ClaimOpen(100m, 1m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 0.4m);

        Assert.Equal(InputDisposition.Rejected, grid.Update(action, orderId, OrderStatus.Filled, 1.5m));

        Assert.Equal(0.4m, grid.Slot(100m).Inventory);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        Assert.Equal(1, grid.Manager.Counters.Overfills);
        Assert.Equal(1, grid.Manager.Counters.UpdatesRejected);
        await grid.Manager.FlushEventsAsync();
        InputRejectedEventArgs e = Assert.Single(rejected);
        Assert.Contains("overfill", e.Reason, StringComparison.Ordinal);
        Assert.Equal(1.5m, e.Update?.CumulativeFilledQuantity); // the update itself travels with the event
        Assert.Null(e.Result);
        grid.AssertInvariants();
    }

    [Fact]
    public void UpdateForThePreviousOrderOfARecycledSlot_IsStale_AndIgnored()
    {
        var grid = new TestGrid();
        OrderAction first = grid.ClaimOpen(100m);
        string firstId = grid.Place(first);
        grid.Update(first, firstId, OrderStatus.Canceled, 0m);
        OrderAction second = grid.ClaimOpen(100m);
        grid.Place(second);
        OrderAction third = grid.ClaimOpen(101m);
        grid.Place(third);
        grid.Update(second, grid.Slot(100m).Order!.OrderId, OrderStatus.Canceled, 0m);
        grid.ClaimOpen(100m);

        // The first order is two orders back now: its late update reaches the slot through the retired ids and is stale.
        Assert.Equal(InputDisposition.Stale, grid.Update(first, firstId, OrderStatus.New, 0m));

        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
        Assert.Equal(1, grid.Manager.Counters.UpdatesStale);
        grid.AssertInvariants();
    }

    [Fact]
    public void UpdateWithConflictingIds_IsRejected()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        string orderId = grid.Place(action);

        var conflicting = new OrderUpdate { OrderId = orderId, ClientOrderId = "someone-else", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m };

        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(conflicting));
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }

    [Fact]
    public void EmptyIds_AreAbsentIds_NeverAnIdThatMatchesAnotherOrder()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m);
        OrderAction b = grid.ClaimOpen(101m);

        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "", ClientOrderId = a.ClientOrderId, Status = OrderStatus.New });
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = " ", ClientOrderId = b.ClientOrderId, Status = OrderStatus.New });
        InputDisposition fill = grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "", ClientOrderId = b.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });

        Assert.Equal(InputDisposition.Applied, fill);
        Assert.Equal(1m, grid.Slot(101m).Inventory);
        Assert.Null(grid.Slot(100m).Order!.OrderId);
        grid.Place(a, "X1"); // the real id still lands
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "X1", ClientOrderId = "", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        grid.AssertInvariants();
    }

    [Fact]
    public void CumulativeNotionalThatDoesNotGrowWithTheFill_IsRejected_AndChangesNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m, quote: 100m);

        Assert.Equal(InputDisposition.Rejected, grid.Update(action, "X-OTHER-NEVER-LEARNED", OrderStatus.Filled, 2m, quote: 50m));
        Assert.Equal(InputDisposition.Rejected, grid.Update(action, orderId, OrderStatus.Filled, 2m, quote: 100m));

        SlotView slot = grid.Slot(100m);
        Assert.Equal((1m, 100m, SlotStatus.Live), (slot.Inventory, slot.EntryNotional, slot.Status));
        Assert.Equal(orderId, slot.Order!.OrderId);
    }

    [Fact]
    public void AmountsThatOverflowDecimal_AreRefusedNamingTheField_AndChangeNothing()
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m, quote: 100m);

        Assert.Throws<ArgumentException>("update", () => grid.Update(action, orderId, OrderStatus.PartiallyFilled, 1m, quote: decimal.MaxValue));
        Assert.Throws<ArgumentException>("update", () => grid.Update(action, orderId, OrderStatus.Filled, 2m, quote: decimal.MaxValue, fee: decimal.MinValue));

        Assert.Equal((1m, 100m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnUpdateWhoseIdsConflictWithAFinishedOrder_IsRejected_LikeOneForALiveOrder()
    {
        var grid = new TestGrid();
        (OrderAction first, string firstId) = grid.OpenFilled(100m);
        OrderAction other = grid.ClaimOpen(101m);
        grid.Place(other, "X-OTHER");

        // The finished order's exchange id with another order's client id, and its client id with another exchange id.
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = firstId, ClientOrderId = other.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "X-NEVER", ClientOrderId = first.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = firstId, ClientOrderId = first.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(2, grid.Manager.Counters.UpdatesRejected);
        grid.AssertInvariants();
    }

    public static TheoryData<OrderUpdate> MalformedUpdates => new()
    {
        new OrderUpdate { Status = OrderStatus.New },
        new OrderUpdate { OrderId = "", ClientOrderId = "", Status = OrderStatus.New },
        new OrderUpdate { OrderId = " ", ClientOrderId = null, Status = OrderStatus.New },
        new OrderUpdate { OrderId = "X1", Status = OrderStatus.Unspecified },
        new OrderUpdate { OrderId = "X1", Status = (OrderStatus)99 },
        new OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = -1m },
        new OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = -5m },
    };

    [Theory]
    [MemberData(nameof(MalformedUpdates))]
    public void MalformedUpdate_Throws_AndChangesNothing(OrderUpdate update)
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Place(action, "X1");

        Assert.Throws<ArgumentException>(nameof(update), () => grid.Manager.OnOrderUpdate(update));

        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
        Assert.Equal(default, grid.Manager.Counters with { ClaimsAccepted = 0, ResultsApplied = 0 });
    }
}
