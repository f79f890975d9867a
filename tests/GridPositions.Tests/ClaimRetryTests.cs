namespace GridPositions.Tests;

/// <summary>
/// A claim retried with its client order id (a remote caller that timed out) gets the original claim back while its
/// place result has not come, and nothing new is claimed; any other reuse of the id is a conflict, as before.
/// </summary>
public class ClaimRetryTests
{
    [Fact]
    public void TheSameClaimRetried_BeforeItsResult_ReturnsTheOriginal_AndClaimsNothingNew()
    {
        var grid = new TestGrid();
        ClaimRequest request = ClaimRequest.Place(100m, grid.Opening, 100m, 1m, "retry-1") with { PostOnly = true };
        ClaimResult first = grid.Manager.ClaimSlot(request);
        long claimsBefore = grid.Manager.Counters.ClaimsAccepted;

        ClaimResult again = grid.Manager.ClaimSlot(request);

        Assert.True(again.IsAccepted);
        Assert.True(again.IsRepeat);
        Assert.False(first.IsRepeat);
        Assert.Equal(first.Action, again.Action); // the same claim token, ids and intent: either may be sent, once
        Assert.Equal(claimsBefore, grid.Manager.Counters.ClaimsAccepted);
        Assert.Equal(InputDisposition.Applied, grid.Manager.ApplyActionResults([OrderActionResult.Placed(again.Action, "X1")])[0].Disposition);
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.ApplyActionResults([OrderActionResult.Placed(first.Action, "X1")])[0].Disposition);
        grid.AssertInvariants();
    }

    [Fact]
    public void AClaimRetriedAfterItsProcessDied_ReturnsTheOriginal_WhoseResultStillLands()
    {
        // The process died before answering (a silo, a crash): reopened, the claim lapsed to Unknown, nothing heard of it.
        var grid = new TestGrid();
        using var dir = new Persistence.StoreDirectory();
        ClaimRequest request = ClaimRequest.Place(100m, grid.Opening, 100m, 1m, "retry-1");
        OrderAction original;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None))
        using (SuperPositionManager first = SuperPositionManager.Open(store, grid.Options, grid.Time))
        {
            original = first.ClaimSlot(request).Action;
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path, Durability.None);
        using SuperPositionManager manager = SuperPositionManager.Open(reopened, grid.Options, grid.Time);
        Assert.Equal(SlotStatus.Unknown, manager.GetSlot(100m)!.Status);

        ClaimResult again = manager.ClaimSlot(request);

        Assert.Equal((true, original), (again.IsRepeat, again.Action));
        Assert.Equal(InputDisposition.Applied, manager.ApplyActionResults([OrderActionResult.Placed(again.Action, "X1")])[0].Disposition);
        Assert.Equal(SlotStatus.Live, manager.GetSlot(100m)!.Status);
        Assert.True(manager.CheckInvariants().Holds);
    }

    [Fact]
    public void AWholePositionCloseRetried_ReturnsTheOriginal()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 2m);
        ClaimRequest close = ClaimRequest.Close(100m, 110m, "close-1");
        OrderAction original = grid.Claim(close);

        ClaimResult again = grid.Manager.ClaimSlot(close);

        Assert.Equal((true, original), (again.IsRepeat, again.Action));
    }

    public static TheoryData<string, string> Conflicts => new()
    {
        { "another slot", "client order id retry-1 is already in use" },
        { "another price", "for a different order" },
        { "another quantity", "for a different order" },
        { "post-only dropped", "for a different order" },
        { "after its result", "the exchange knows it as order X" },
        { "after the exchange reported it", "the exchange knows it as order X7 (slot 100.00 is Live)" },
        { "after the claim timeout", "older than the claim timeout (00:00:30): its place may have reached the exchange, so reconcile it" },
        { "after it lapsed by the timeout", "older than the claim timeout (00:00:30): its place may have reached the exchange, so reconcile it" },
        { "after it finished", "client order id retry-1 is already in use" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void AnyOtherReuseOfTheId_IsRefused_AndChangesNothing(string what, string detail)
    {
        var grid = new TestGrid();
        ClaimRequest request = ClaimRequest.Place(100m, grid.Opening, 100m, 1m, "retry-1") with { PostOnly = true };
        OrderAction action = grid.Claim(request);
        if (what == "after its result")
        {
            grid.Place(action);
        }
        else if (what == "after the claim timeout")
        {
            grid.Time.Advance(grid.Options.PendingClaimTimeout); // still pending (nothing lapsed it), but old enough to have been sent
        }
        else if (what == "after it lapsed by the timeout")
        {
            grid.Time.Advance(grid.Options.PendingClaimTimeout);
            Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m)).Rejection);
            Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);
        }
        else if (what == "after the exchange reported it")
        {
            // Lapsed to Unknown, then an update by client id told of the order: it exists, a second place would duplicate it.
            grid.Time.Advance(grid.Options.PendingClaimTimeout);
            grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m));
            Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "retry-1", OrderId = "X7", Status = OrderStatus.New }));
        }
        else if (what == "after it finished")
        {
            grid.Update(action, grid.Place(action), OrderStatus.Canceled, 0m);
        }

        ClaimRequest retry = what switch
        {
            "another slot" => request with { SlotPrice = 101m, Price = 101m },
            "another price" => request with { Price = 99m },
            "another quantity" => request with { Quantity = 2m },
            "post-only dropped" => request with { PostOnly = false },
            _ => request,
        };
        IReadOnlyList<SlotView> before = grid.Manager.GetSlots();

        ClaimResult result = grid.Manager.ClaimSlot(retry);

        Assert.Equal((ClaimRejection.Invalid, false), (result.Rejection, result.IsRepeat));
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, grid.Manager.GetSlots());
    }
}
