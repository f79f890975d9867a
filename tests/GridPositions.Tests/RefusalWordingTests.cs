namespace GridPositions.Tests;

/// <summary>
/// What a refusal says: claims, results and the records that describe them. A refusal with the right status but an
/// empty or wrong explanation leaves the operator guessing, so each wording is checked where it is built.
/// </summary>
public class RefusalWordingTests
{
    [Fact]
    public void AClaimResult_PrintsItsActionWhenAccepted_AndItsDetailWhenRefused()
    {
        var grid = new TestGrid();
        ClaimResult accepted = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
        ClaimResult refused = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        Assert.StartsWith("ClaimResult { Request = ClaimRequest { ", accepted.ToString(), StringComparison.Ordinal);
        Assert.Contains(", Rejection = None, Action = OrderAction { Type = Place, SlotPrice = 100", accepted.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(" }", accepted.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Detail", accepted.ToString(), StringComparison.Ordinal);
        Assert.Contains(", Rejection = SlotBusy, Detail = " + refused.Detail + " }", refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Action =", refused.ToString(), StringComparison.Ordinal);
        Assert.False(refused.TryGetAction(out OrderAction none));
        Assert.Equal(default, none);
        Assert.True(accepted.TryGetAction(out OrderAction some));
        Assert.Equal(accepted.Action, some);
    }

    [Fact]
    public void AClaimOffTheQuantityStep_SaysWhy_AndForACloseWhatItMustBe()
    {
        var grid = new TestGrid();
        ClaimResult open = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 0.0005m));
        Assert.Equal(ClaimRejection.Invalid, open.Rejection);
        Assert.Equal("Quantity: quantity 0.0005 is not a multiple of the quantity step 0.001", open.Detail);

        grid.OpenFilled(99m);
        ClaimResult close = grid.Manager.ClaimSlot(ClaimRequest.Place(99m, grid.Closing, 100m, 0.5005m));
        Assert.Equal(ClaimRejection.Invalid, close.Rejection);
        Assert.Equal("Quantity: quantity 0.5005 is not a multiple of the quantity step 0.001 (a close off the step must be for exactly the 1 the slot holds)", close.Detail);
    }

    [Fact]
    public void AClaimOnAClosingPosition_NamesTheLease()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        ClaimResult refused = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 101m, 1m));
        Assert.Equal(ClaimRejection.PositionLeased, refused.Rejection);
        Assert.Equal($"slot 100.00's position is being closed under lease {start.Lease!.FencingToken}", refused.Detail);
    }

    [Fact]
    public void TooFewOutcomes_IsRefusedByName_SayingHowMany()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        var error = Assert.Throws<ArgumentException>("outcomes", () => grid.Manager.ApplyActionResults([OrderActionResult.Placed(place, "X1")], Span<ResultOutcome>.Empty));
        Assert.StartsWith("outcomes holds 0, fewer than the 1 results.", error.Message, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
    }

    [Fact]
    public async Task ResultsNoSlotCanTake_SayWhy()
    {
        var grid = new TestGrid();
        var foreign = new OrderAction(OrderActionType.Place, 123m, OrderSide.Buy, 123m, 1m, "gp-x", null, 5);
        var orphanCancel = new OrderAction(OrderActionType.Cancel, 100m, OrderSide.Buy, 100m, 1m, "gp-y", "X9", 0);
        var rejected = new List<string>();
        grid.Manager.InputRejected += (_, e) => rejected.Add(e.Reason);

        IReadOnlyList<ResultOutcome> outcomes = grid.Manager.ApplyActionResults([OrderActionResult.Placed(foreign, "X1"), OrderActionResult.Canceled(orphanCancel)]);

        Assert.Equal(new ResultOutcome(InputDisposition.Rejected, null, "no slot at 123: the action was never claimed here"), outcomes[0]);
        Assert.Equal(new ResultOutcome(InputDisposition.Stale, null, "the result of an orphan's follow-up cancel: no slot holds that order"), outcomes[1]);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal(["no slot at 123: the action was never claimed here"], rejected);
    }

    [Fact]
    public void TwoAmbiguousPlacesInOneBatch_BothRecordWhenTheyBecameAmbiguous()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m), b = grid.ClaimOpen(99m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(a, "timeout"), OrderActionResult.Ambiguous(b, "timeout")]);

        ReconciliationReport report = grid.Manager.Reconcile(grid.Manager.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), []));

        Assert.Equal(2, report.Count(FindingKind.Deferred)); // younger than the grace period: either may still reach the exchange
        Assert.Equal([SlotStatus.Unknown, SlotStatus.Unknown], new[] { grid.Slot(100m).Status, grid.Slot(99m).Status });
    }

    [Fact]
    public void ABatchThatFillsItsPooledArraysExactly_IsAppliedWhole()
    {
        var grid = new TestGrid();
        OrderAction[] actions = [.. Enumerable.Range(0, 16).Select(i => grid.ClaimOpen(100m - i))];

        IReadOnlyList<ResultOutcome> outcomes = grid.Manager.ApplyActionResults([.. actions.Select((a, i) => OrderActionResult.Placed(a, "X" + i))]);

        Assert.All(outcomes, o => Assert.Equal(InputDisposition.Applied, o.Disposition));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "X15", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 0.5m }));
    }

    [Fact]
    public async Task AnUpdateWhoseIdsConflictWithTheLiveOrder_IsRejected_NamingBothPairs()
    {
        var grid = new TestGrid();
        var rejected = new List<string>();
        grid.Manager.InputRejected += (_, e) => rejected.Add(e.Reason);
        OrderAction open = grid.ClaimOpen(100m, 2m);
        grid.Place(open, "X1");

        InputDisposition disposition = grid.Update(open, "X2", OrderStatus.PartiallyFilled, 1m); // its client id, another exchange id

        Assert.Equal(InputDisposition.Rejected, disposition);
        await grid.Manager.FlushEventsAsync();
        Assert.Equal([$"update ids (X2, {open.ClientOrderId}) conflict with slot 100.00 order (X1, {open.ClientOrderId})"], rejected);
        Assert.Equal(0m, grid.Slot(100m).Inventory);
    }
}
