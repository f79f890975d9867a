using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Tests;

public class SnapshotTests
{
    /// <summary>A grid with every kind of slot state: live, pending, unknown, pending cancel, holding, parked update.</summary>
    private static TestGrid Populated()
    {
        var grid = new TestGrid();
        grid.OpenFilled(99m, 2m, fee: 0.02m);
        OrderAction close = grid.ClaimClose(99m, 100.5m, 2m);
        grid.Update(close, grid.Place(close, "CLOSE"), OrderStatus.PartiallyFilled, 0.5m, fee: 0.01m);
        OrderAction live = grid.ClaimOpen(98m, 1m);
        grid.Place(live, "LIVE");
        grid.ClaimOpen(97m, 1m);
        OrderAction unknown = grid.ClaimOpen(96m, 1m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(unknown, "timeout")]);
        grid.Claim(ClaimRequest.Cancel(98m));
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "STRANGER", Status = OrderStatus.New });
        return grid;
    }

    private static PositionManagerSnapshot RoundTripThroughBytes(PositionManagerSnapshot snapshot) =>
        PositionManagerSnapshot.Parser.ParseFrom(snapshot.ToByteArray());

    [Fact]
    public void Restore_OfASnapshot_ReproducesEverySlotCounterAndParkedUpdate()
    {
        TestGrid grid = Populated();

        SuperPositionManager restored = SuperPositionManager.Restore(RoundTripThroughBytes(grid.Manager.CreateSnapshot()), grid.Options, grid.Time);

        Assert.Equal(grid.Manager.GetSlots(), restored.GetSlots());
        Assert.Equal(grid.Manager.Counters, restored.Counters);
        Assert.Equal(1, restored.ParkedUpdateCount);
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void Restore_RebuildsBothIndexes_SoUpdatesRouteByEitherId()
    {
        TestGrid grid = Populated();
        OrderAction pending = new(OrderActionType.Place, 97m, OrderSide.Buy, 97m, 1m, grid.Slot(97m).Order!.ClientOrderId, null, grid.Slot(97m).Order!.ClaimToken);
        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);

        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(new OrderUpdate { OrderId = "CLOSE", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(TestGrid.Make(pending, null, OrderStatus.New, 0m)));

        Assert.Equal(0m, restored.GetSlot(99m)!.Inventory);
        Assert.Equal(SlotStatus.Live, restored.GetSlot(97m)!.Status);
        Assert.Equal("all invariants hold", restored.CheckInvariants().ToString());
    }

    [Theory]
    [InlineData("100")]
    [InlineData("100.0")]
    [InlineData("100.00")]
    [InlineData("100.0000")]
    public void Restore_ReKeysFromPrices_SoEveryFormattingIsOneLevel(string storedPrice)
    {
        var grid = new TestGrid();
        OrderAction action = grid.ClaimOpen(100m);
        grid.Place(action, "X1");
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        snapshot.Slots[0].Price = decimal.Parse(storedPrice, System.Globalization.CultureInfo.InvariantCulture).ToWire();

        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);

        foreach (decimal asked in new[] { 100m, 100.0m, 100.00m })
        {
            Assert.Equal(SlotStatus.Live, restored.GetSlot(asked)!.Status);
            Assert.Equal(ClaimRejection.SlotBusy, restored.ClaimSlot(ClaimRequest.Place(asked, OrderSide.Buy, asked, 1m)).Rejection);
        }

        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(new OrderUpdate { OrderId = "X1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Single(restored.GetSlots());
    }

    [Fact]
    public void Restore_ReDrivesParkedUpdatesThatCanNowBeRouted()
    {
        var grid = new TestGrid();
        grid.Place(grid.ClaimOpen(100m, 1m), "X1");
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();

        // What a snapshot taken between a result's phase 2 (the slot learned X1) and phase 3 (index X1, re-drive) holds.
        snapshot.ParkedUpdates.Add(new ParkedUpdate
        {
            Update = new OrderUpdate { OrderId = "X1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }.ToWire(),
            ParkedAt = snapshot.TakenAt,
        });
        snapshot.Counters.Values[nameof(ManagerCounters.UpdatesParked)] += 1;

        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);

        Assert.Equal(0, restored.ParkedUpdateCount);
        Assert.Equal(1m, restored.GetSlot(100m)!.Inventory);
        Assert.Equal(1, restored.Counters.UpdatesRedriven);
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void Restore_RemembersFinishedOrders_SoLateReplaysAreDuplicatesAndTheirClientIdsCannotBeReused()
    {
        var grid = new TestGrid();
        OrderAction open = grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, "L100-open"));
        grid.Update(open, grid.Place(open, "X1"), OrderStatus.Filled, 1m);
        OrderAction close = grid.Claim(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m, "L100-close"));
        grid.Update(close, grid.Place(close, "X2"), OrderStatus.Filled, 1m);

        SuperPositionManager restored = SuperPositionManager.Restore(RoundTripThroughBytes(grid.Manager.CreateSnapshot()), grid.Options, grid.Time);

        Assert.Equal(ClaimRejection.Invalid, restored.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, "L100-open")).Rejection);
        OrderAction next = restored.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
        // A reconnecting stream replays the first order's final update: it is that order's, never the new one's.
        Assert.Equal(InputDisposition.Stale, restored.OnOrderUpdate(new OrderUpdate { OrderId = "X1", ClientOrderId = "L100-open", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(InputDisposition.Duplicate, restored.OnOrderUpdate(new OrderUpdate { OrderId = "X2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Assert.Equal(0, restored.ParkedUpdateCount);
        Assert.Equal(0m, restored.GetSlot(100m)!.Inventory);
        Assert.Equal(next.ClaimToken, restored.GetSlot(100m)!.Order!.ClaimToken);
    }

    [Fact]
    public void Restore_TwoSlotsThatAreOneLevel_IsRefused()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);
        grid.ClaimOpen(101m);
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        snapshot.Slots[1].Price = 100.0m.ToWire();

        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options));
        Assert.Contains("two slots at level 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_AnOrderIdOwnedByTwoSlots_IsRefused()
    {
        var grid = new TestGrid();
        grid.Place(grid.ClaimOpen(100m), "X1");
        grid.Place(grid.ClaimOpen(101m), "X2");
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        snapshot.Slots[1].Order.OrderId = "X1";

        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options));
    }

    [Fact]
    public void Restore_ContinuesTokensAndClientIds_SoNothingIsReused()
    {
        TestGrid grid = Populated();
        var before = grid.Manager.GetSlots().Where(s => s.Order is not null).Select(s => s.Order!).ToList();
        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);

        OrderAction next = restored.ClaimSlot(ClaimRequest.Place(90m, OrderSide.Buy, 90m, 1m)).Action;

        Assert.All(before, o => Assert.True(next.ClaimToken > o.ClaimToken));
        Assert.DoesNotContain(next.ClientOrderId, before.Select(o => o.ClientOrderId));
    }

    [Fact]
    public void Snapshot_IsADeepCopy_InBothDirections()
    {
        TestGrid grid = Populated();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();

        snapshot.Slots[0].Inventory = 1000m.ToWire();
        snapshot.Slots[0].Order = null;
        Assert.True(grid.Manager.CheckInvariants().Holds);
        Assert.NotEqual(1000m, grid.Slot(96m).Inventory);

        PositionManagerSnapshot second = grid.Manager.CreateSnapshot();
        PositionManagerSnapshot copy = second.Clone();
        grid.OpenFilled(80m, 1m);
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "CLOSE", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });
        Assert.Equal(copy, second);
    }

    [Fact]
    public void Restore_RefusesAnotherSymbolDirectionOrVersion()
    {
        TestGrid grid = Populated();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();

        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, Direction = GridDirection.Short }));
        snapshot.FormatVersion = 99;
        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options));
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_IntoACoarserTickGrid_RefusesAPriceOffIt()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100.05m);
        var coarse = new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.1m, QuantityStep = 0.001m };

        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), coarse));
        Assert.Contains("100.05", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_ASnapshotBreakingAnInvariant_IsRefusedNamingIt()
    {
        TestGrid grid = Populated();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        InventorySlot held = snapshot.Slots.Single(s => s.Price.ToDecimal() == 99m);
        held.Inventory = 5m.ToWire();

        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options));
        Assert.Contains("slot 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_MoreParkedUpdatesThanTheCapacity_IsRefused()
    {
        var grid = new TestGrid();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        for (int i = 0; i < 9; i++)
        {
            snapshot.ParkedUpdates.Add(new ParkedUpdate { Update = new OrderUpdate { OrderId = "P" + i, Status = OrderStatus.New }.ToWire(), ParkedAt = snapshot.TakenAt });
        }

        snapshot.Counters.Values[nameof(ManagerCounters.UpdatesParked)] = 9;
        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options));
        Assert.Contains("exceed the capacity", error.Message, StringComparison.Ordinal);
    }
}
