using GridPositions.Persistence;
using GridPositions.Tests.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// An order's intent travels from the claim to the action, the slot, snapshots and journals: its role, reduce-only for
/// every closing order and never an opening one, post-only, time in force, and the manager's position side (its
/// direction's in hedge mode). A claim whose intent contradicts itself or the manager is refused by field, creating nothing.
/// </summary>
public class OrderIntentTests
{
    private static PositionManagerOptions Futures(GridDirection direction = GridDirection.Long, bool hedge = true) => new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.1m,
        QuantityStep = 0.001m,
        Direction = direction,
        HedgeMode = hedge,
    };

    [Fact]
    public void AnOpeningClaim_CarriesItsIntent_AndItsClose_IsReduceOnly()
    {
        var grid = new TestGrid(options: Futures());
        OrderAction open = grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { PostOnly = true, TimeInForce = TimeInForce.Gtc });

        Assert.Equal((OrderRole.Open, false, true, TimeInForce.Gtc, PositionSide.Long), (open.Role, open.ReduceOnly, open.PostOnly, open.TimeInForce, open.PositionSide));
        OrderView pending = grid.Slot(100m).Order!;
        Assert.Equal((false, true, TimeInForce.Gtc, PositionSide.Long), (pending.ReduceOnly, pending.PostOnly, pending.TimeInForce, pending.PositionSide));

        grid.Update(open, grid.Place(open), OrderStatus.Filled, 1m);
        OrderAction close = grid.Claim(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m) with { TimeInForce = TimeInForce.Ioc });
        Assert.Equal((OrderRole.Close, true, false, TimeInForce.Ioc, PositionSide.Long), (close.Role, close.ReduceOnly, close.PostOnly, close.TimeInForce, close.PositionSide));
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Close(100m, 101m)).Rejection == ClaimRejection.SlotBusy);
        grid.AssertInvariants();
    }

    [Fact]
    public void ACancel_TellsTheExecutorTheIntentOfTheOrderItCancels()
    {
        var grid = new TestGrid(options: Futures(GridDirection.Short));
        OrderAction open = grid.Claim(ClaimRequest.Place(100m, OrderSide.Sell, 100m, 1m) with { PostOnly = true });
        grid.Place(open);

        OrderAction cancel = grid.Claim(ClaimRequest.Cancel(100m));

        Assert.Equal((OrderActionType.Cancel, OrderRole.Open, false, true, PositionSide.Short), (cancel.Type, cancel.Role, cancel.ReduceOnly, cancel.PostOnly, cancel.PositionSide));
    }

    [Fact]
    public void ALeaseClose_AndAReconciliationAdoption_CarryTheRoleAndThePositionSide()
    {
        var grid = new TestGrid(options: Futures());
        grid.OpenFilled(100m, 1m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 101m).Action!.Value;
        Assert.Equal((OrderRole.Close, true, PositionSide.Long), (close.Role, close.ReduceOnly, close.PositionSide));

        var oneWay = new TestGrid(options: Futures(hedge: false));
        OrderAction plain = oneWay.ClaimOpen(100m, 1m);
        Assert.Equal((OrderRole.Open, false, PositionSide.Both), (plain.Role, plain.ReduceOnly, plain.PositionSide));
    }

    [Theory]
    [InlineData(GridDirection.Long, true, PositionSide.Short, false)]
    [InlineData(GridDirection.Long, true, PositionSide.Both, false)]
    [InlineData(GridDirection.Long, false, PositionSide.Long, false)]
    [InlineData(GridDirection.Short, true, PositionSide.Short, true)]
    [InlineData(GridDirection.Long, false, PositionSide.Both, true)]
    [InlineData(GridDirection.Long, true, (PositionSide)9, false)]
    public void APositionSide_MustBeTheManagers(GridDirection direction, bool hedge, PositionSide side, bool accepted)
    {
        var grid = new TestGrid(options: Futures(direction, hedge));
        ClaimResult result = grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m) with { PositionSide = side });

        Assert.Equal(accepted, result.IsAccepted);
        if (!accepted)
        {
            Assert.Equal(ClaimRejection.Invalid, result.Rejection);
            Assert.StartsWith("PositionSide", result.Detail, StringComparison.Ordinal);
            Assert.Contains(hedge ? "hedge mode, this grid's side" : "one-way mode", result.Detail, StringComparison.Ordinal);
            Assert.Null(grid.Manager.GetSlot(100m));
        }
    }

    [Fact]
    public void AnIntentThatContradictsItself_IsRefusedNamingTheField_AndCreatesNothing()
    {
        var grid = new TestGrid(options: Futures());
        grid.OpenFilled(100m, 1m);
        var refused = new (ClaimRequest Request, string Field)[]
        {
            (ClaimRequest.Place(99m, OrderSide.Buy, 99m, 1m) with { ReduceOnly = true }, "ReduceOnly"), // an opening order cannot be
            (ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m) with { ReduceOnly = false }, "ReduceOnly"), // a closing one always is
            (ClaimRequest.Close(100m, 101m) with { ReduceOnly = false }, "ReduceOnly"),
            (ClaimRequest.Place(99m, OrderSide.Buy, 99m, 1m) with { PostOnly = true, TimeInForce = TimeInForce.Ioc }, "PostOnly"),
            (ClaimRequest.Place(99m, OrderSide.Buy, 99m, 1m) with { PostOnly = true, TimeInForce = TimeInForce.Fok }, "PostOnly"),
            (ClaimRequest.Place(99m, OrderSide.Buy, 99m, 1m) with { TimeInForce = (TimeInForce)7 }, "TimeInForce"),
            (ClaimRequest.Cancel(100m) with { PostOnly = true }, "WholePosition, ReduceOnly, PostOnly"),
            (ClaimRequest.Cancel(100m) with { TimeInForce = TimeInForce.Gtc }, "WholePosition, ReduceOnly, PostOnly"),
            (ClaimRequest.Cancel(100m) with { WholePosition = true }, "WholePosition, ReduceOnly, PostOnly"),
        };
        SlotView before = grid.Slot(100m);

        foreach ((ClaimRequest request, string field) in refused)
        {
            ClaimResult result = grid.Manager.ClaimSlot(request);
            Assert.Equal(ClaimRejection.Invalid, result.Rejection);
            Assert.StartsWith(field, result.Detail, StringComparison.Ordinal);
        }

        Assert.Contains("an opening order cannot be reduce-only", grid.Manager.ClaimSlot(refused[0].Request).Detail, StringComparison.Ordinal);
        Assert.Contains("every closing order is reduce-only", grid.Manager.ClaimSlot(refused[1].Request).Detail, StringComparison.Ordinal);

        Assert.Null(grid.Manager.GetSlot(99m));
        Assert.Equal(before, grid.Slot(100m));
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m) with { ReduceOnly = true }).IsAccepted); // saying what it is, is fine
        grid.AssertInvariants();
    }

    [Fact]
    public void ASnapshot_KeepsTheIntent_AndARestoreWithAnotherPositionMode_IsRefused()
    {
        var grid = new TestGrid(options: Futures());
        grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { PostOnly = true, TimeInForce = TimeInForce.Gtc });
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        SlotOrder wire = snapshot.Slots.Single().Order;
        Assert.Equal((true, TimeInForce.Gtc, PositionSide.Long), (wire.PostOnly, wire.TimeInForce, wire.PositionSide));

        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);
        Assert.Equal(grid.Slot(100m), restored.GetSlot(100m));
        Assert.Equal(snapshot, restored.CreateSnapshot());

        // The live order was sent for the long position: a manager in one-way mode would close it as BOTH.
        PositionManagerOptions oneWay = Futures(hedge: false);
        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, oneWay, grid.Time));
        Assert.Contains("HedgeMode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASnapshotWithAnImpossibleIntent_IsRefusedNamingThePath()
    {
        var grid = new TestGrid(options: Futures());
        grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { TimeInForce = TimeInForce.Ioc });
        void Refused(Action<SlotOrder> edit, string path)
        {
            PositionManagerSnapshot s = grid.Manager.CreateSnapshot();
            edit(s.Slots[0].Order);
            ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(s, grid.Options, grid.Time));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }

        Refused(o => o.PostOnly = true, "snapshot.Slots[0].Order.PostOnly");
        Refused(o => o.TimeInForce = (TimeInForce)4, "snapshot.Slots[0].Order.TimeInForce");
        Refused(o => o.PositionSide = (PositionSide)4, "snapshot.Slots[0].Order.PositionSide");
    }

    [Fact]
    public void AJournal_RecoversTheIntent()
    {
        using var dir = new StoreDirectory();
        PositionManagerOptions options = Futures(GridDirection.Short);
        options.CheckpointEveryRecords = 0;
        OrderView? before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.GroupCommit))
        using (SuperPositionManager m = SuperPositionManager.Open(store, options))
        {
            m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 100m, 1m) with { PostOnly = true, TimeInForce = TimeInForce.Gtc });
            before = m.GetSlot(100m)!.Order;
        }

        using FilePositionStore again = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        using SuperPositionManager recovered = SuperPositionManager.Open(again, options);
        OrderView after = recovered.GetSlot(100m)!.Order!;
        Assert.Equal(before, after);
        Assert.Equal((true, TimeInForce.Gtc, PositionSide.Short), (after.PostOnly, after.TimeInForce, after.PositionSide));
    }

    [Fact]
    public void TheWireForm_OfAnAction_KeepsItsIntent()
    {
        OrderAction action = new OrderAction(OrderActionType.Place, 100m, OrderSide.Sell, 101m, 1m, "c1", null, 7)
        {
            Role = OrderRole.Close, ReduceOnly = true, PostOnly = true, TimeInForce = TimeInForce.Gtc, PositionSide = PositionSide.Long,
        };

        Assert.Equal(action, action.ToWire().ToApi());
        Assert.Equal(OrderActionResult.Placed(action, "X1"), OrderActionResult.Placed(action, "X1").ToWire().ToApi());
    }
}
