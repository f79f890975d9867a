using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// A snapshot restored and snapshotted again is the same snapshot, even when time passed between every claim and the
/// snapshot (so a field restored from the wrong moment shows), with leverage, targets and claim times in it; restoring
/// refuses what does not belong to these options, saying why; and restored token sequences continue past every token
/// any slot holds, even when the snapshot's own counters are behind.
/// </summary>
public class SnapshotRoundTripTests
{
    private static InventorySlot At(PositionManagerSnapshot snapshot, decimal level) => snapshot.Slots.Single(s => s.Price.ToDecimal() == level);

    /// <summary>Claims spread over time: a leveraged position with targets, a pending cancel, a pending place, a lapsed one.</summary>
    private static TestGrid Spread()
    {
        var grid = new TestGrid();
        OrderAction open = grid.Claim(ClaimRequest.Place(99m, grid.Opening, 99m, 2m) with { Leverage = 5, StopLossFraction = 0.02m });
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 2m);
        grid.Manager.ModifyTargets(new ModifyRequest(99m, 95m, 105m, "initial"));
        grid.Time.Advance(TimeSpan.FromSeconds(7));
        OrderAction live = grid.ClaimOpen(98m);
        grid.Place(live, "LIVE");
        grid.Time.Advance(TimeSpan.FromSeconds(5));
        grid.Claim(ClaimRequest.Cancel(98m)); // its cancel claimed 5 s after the place
        grid.Time.Advance(TimeSpan.FromSeconds(3));
        grid.ClaimOpen(97m);
        grid.Time.Advance(TimeSpan.FromSeconds(11));
        return grid;
    }

    [Fact]
    public void ASnapshotOfARestoredManager_EqualsTheSnapshotItCameFrom()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot first = grid.Manager.CreateSnapshot();

        SuperPositionManager restored = SuperPositionManager.Restore(PositionManagerSnapshot.Parser.ParseFrom(first.ToByteArray()), grid.Options, grid.Time);
        PositionManagerSnapshot second = restored.CreateSnapshot();

        Assert.Equal(first, second);
        Assert.Equal(grid.Manager.GetSlots(), restored.GetSlots());
        Assert.Equal(grid.Slot(98m).Order!.ClaimedAt, restored.GetSlot(98m)!.Order!.ClaimedAt);
        Assert.Equal((5, 0.02m), (restored.GetSlot(99m)!.Leverage, restored.GetSlot(99m)!.StopLossFraction!.Value));
        InventorySlot held = At(first, 99m);
        Assert.Equal((PositionStatus.Open, 5), (held.PositionStatus, held.Leverage));
        Assert.Equal(PositionStatus.Flat, At(first, 98m).PositionStatus);
        Assert.False(At(first, 98m).HasLeverage);
        Assert.Null(At(first, 97m).Order.CancelClaimedAt); // no cancel claimed, no time
    }

    [Fact]
    public void AClaimWithNoRecordedTime_IsTimedFromTheSnapshot_SoItLapsesAPendingClaimTimeoutAfterIt()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        InventorySlot pending = At(snapshot, 97m);
        InventorySlot cancelling = At(snapshot, 98m);
        pending.Order.ClaimedAt = null; // as a snapshot from before claims recorded their time
        cancelling.Order.CancelClaimedAt = null;
        DateTimeOffset takenAt = snapshot.TakenAt.ToDateTimeOffset();
        grid.Time.Advance(TimeSpan.FromMinutes(3)); // restored much later than it was taken

        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);

        Assert.Equal(takenAt, restored.GetSlot(97m)!.Order!.ClaimedAt);
        Assert.Equal(takenAt, restored.CreateSnapshot().Slots.Single(s => s.Price.ToDecimal() == 98m).Order.CancelClaimedAt.ToDateTimeOffset());
    }

    [Fact]
    public void RestoredSequences_ContinuePastEveryTokenASlotHolds_EvenWhenTheSnapshotsCountersAreBehind()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        InventorySlot cancelling = At(snapshot, 98m);
        InventorySlot held = At(snapshot, 99m);
        cancelling.Order.CancelToken = 500;         // the largest token: a cancel's
        held.LastOrder.ClaimToken = 400;            // a finished order's
        held.LastOrder.Order.ClaimToken = 400;      // (kept whole beside its ids, for late trades)
        cancelling.Order.CancelLeaseToken = 70;     // a lease a claim was bound to
        held.TargetHistory.Clear();
        snapshot.NextClaimToken = 1;                // behind, as after a damaged or hand-written snapshot

        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);

        Assert.Equal(501, restored.ClaimSlot(ClaimRequest.Place(90m, OrderSide.Buy, 90m, 1m)).Action.ClaimToken);
        CloseStart close = restored.BeginClose(new CloseRequest(99m));
        Assert.Equal(71, close.Lease!.FencingToken);
    }

    [Fact]
    public void ASnapshotForOtherOptions_IsRefused_SayingWhatDiffers()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        Assert.Throws<ArgumentNullException>("snapshot", () => SuperPositionManager.Restore(null!, grid.Options));
        Assert.Throws<ArgumentNullException>("options", () => SuperPositionManager.Restore(snapshot, null!));

        var symbol = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
        Assert.StartsWith("The snapshot is for BTCUSDT, the options for ETHUSDT.", symbol.Message, StringComparison.Ordinal);
        var direction = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, Direction = GridDirection.Short }));
        Assert.StartsWith("The snapshot's grid is Long, the options' Short.", direction.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASnapshotWhoseIdsClash_IsRefused_NamingTheSlotAndTheId()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot clientClash = grid.Manager.CreateSnapshot();
        string liveClientId = grid.Slot(98m).Order!.ClientOrderId;
        At(clientClash, 97m).Order.ClientOrderId = liveClientId;
        var client = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(clientClash, grid.Options));
        Assert.StartsWith($"Snapshot slot 98.00: client order id '{liveClientId}' is missing or belongs to two slots.", client.Message, StringComparison.Ordinal);

        PositionManagerSnapshot orderClash = grid.Manager.CreateSnapshot();
        InventorySlot pending = At(orderClash, 97m);
        pending.Order.OrderId = "LIVE";
        pending.Status = SlotStatus.Live;
        var order = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(orderClash, grid.Options));
        Assert.StartsWith("Snapshot slot 98.00: order id 'LIVE' belongs to two slots.", order.Message, StringComparison.Ordinal);

        PositionManagerSnapshot retired = grid.Manager.CreateSnapshot();
        retired.RetiredIds.Add(new RetiredId { Id = "OLD", IsOrderId = true, SlotPrice = 50m.ToWire() });
        var missing = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(retired, grid.Options));
        Assert.StartsWith("Snapshot retired id 'OLD' names slot 50, which the snapshot does not have.", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSnapshotsClientIdPrefix_IsKept_UnlessItHasNone()
    {
        TestGrid grid = Spread();
        PositionManagerSnapshot custom = grid.Manager.CreateSnapshot();
        custom.ClientOrderIdPrefix = "desk7";
        SuperPositionManager kept = SuperPositionManager.Restore(custom, grid.Options, grid.Time);
        Assert.StartsWith("desk7", kept.ClaimSlot(ClaimRequest.Place(90m, OrderSide.Buy, 90m, 1m)).Action.ClientOrderId, StringComparison.Ordinal);

        PositionManagerSnapshot none = grid.Manager.CreateSnapshot();
        none.ClientOrderIdPrefix = "";
        SuperPositionManager fallback = SuperPositionManager.Restore(none, grid.Options, grid.Time);
        Assert.StartsWith(grid.Options.ClientOrderIdPrefix, fallback.ClaimSlot(ClaimRequest.Place(90m, OrderSide.Buy, 90m, 1m)).Action.ClientOrderId, StringComparison.Ordinal);
    }
}
