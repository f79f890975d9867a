namespace GridPositions.Tests;

/// <summary>Held positions valued at a mark price: unrealised profit and break-even per slot and in total, long and short.</summary>
public class ValuationTests
{
    [Fact]
    public void ALongGrid_IsValuedSlotBySlot_NetOfTheEntryFeesPaid()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 2m, fee: 0.2m);
        grid.OpenFilled(101m, 1m, fee: 0.1m);
        grid.OpenFilled(102m, 1m);
        OrderAction close = grid.ClaimClose(102m, 103m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, 103m); // realises 1, leaves 102 flat

        PositionValuation value = grid.Manager.GetValuation(102m);

        Assert.Equal([100m, 101m], value.Slots.Select(s => s.SlotPrice)); // the flat slot is not valued
        SlotValuation low = value.Slots[0];
        Assert.Equal((2m, 200m, 0.2m, 204m, 3.8m, 100.1m), (low.Inventory, low.EntryNotional, low.EntryFees, low.MarkValue, low.UnrealizedPnl, low.BreakEvenPrice));
        Assert.Equal((0.9m, 101.1m), (value.Slots[1].UnrealizedPnl, value.Slots[1].BreakEvenPrice));
        Assert.Equal((3m, 4.7m, 1m), (value.Inventory, value.UnrealizedPnl, value.RealizedPnl));
        Assert.Equal(301.3m / 3m, value.BreakEvenPrice);
        Assert.Equal(0m, grid.Manager.GetValuation(value.BreakEvenPrice!.Value).UnrealizedPnl, 20); // zero at break-even (to 20 places: 301.3 / 3 does not end)
    }

    [Fact]
    public void AShortGrid_GainsAsTheMarkFalls_AndBreaksEvenBelowItsEntry()
    {
        var grid = new TestGrid(GridDirection.Short);
        grid.OpenFilled(100m, 1m, fee: 0.1m);

        PositionValuation value = grid.Manager.GetValuation(98m);

        SlotValuation slot = Assert.Single(value.Slots);
        Assert.Equal((98m, 1.9m, 99.9m), (slot.MarkValue, slot.UnrealizedPnl, slot.BreakEvenPrice));
        Assert.Equal(-2.1m, grid.Manager.GetValuation(102m).UnrealizedPnl);
        Assert.Equal(0m, grid.Manager.GetValuation(99.9m).UnrealizedPnl);
    }

    [Theory]
    [InlineData(GridDirection.Long)]
    [InlineData(GridDirection.Short)]
    public void ClosingEverythingAtTheMarkWithNoExitFee_RealisesExactlyWhatTheValuationSaid(GridDirection direction)
    {
        var grid = new TestGrid(direction);
        grid.OpenFilled(100m, 3m, fee: 0.37m);
        OrderAction partial = grid.ClaimClose(100m, direction == GridDirection.Long ? 101m : 99m, 1m);
        grid.Update(partial, grid.Place(partial), OrderStatus.Filled, 1m, 1m * partial.Price, fee: 0.05m); // a pro-rata share of cost and fees left
        decimal mark = direction == GridDirection.Long ? 100.07m : 99.93m;
        PositionValuation before = grid.Manager.GetValuation(mark);
        decimal realizedBefore = grid.Manager.GetTotals().RealizedPnl;

        OrderAction close = grid.ClaimClose(100m, mark, 2m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 2m, 2m * mark);

        Assert.Equal(before.UnrealizedPnl, grid.Manager.GetTotals().RealizedPnl - realizedBefore);
        Assert.Equal(before.RealizedPnl + before.UnrealizedPnl, grid.Manager.GetValuation(mark).RealizedPnl);
        Assert.Empty(grid.Manager.GetValuation(mark).Slots);
    }

    [Fact]
    public void NothingHeld_HasNoBreakEven()
    {
        PositionValuation value = new TestGrid().Manager.GetValuation(100m);

        Assert.Equal((0m, 0m, 0m, (decimal?)null), (value.Inventory, value.UnrealizedPnl, value.RealizedPnl, value.BreakEvenPrice));
        Assert.Empty(value.Slots);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000000000000001")]
    public void ABadMarkPrice_IsRefusedByName(string mark)
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => grid.Manager.GetValuation(decimal.Parse(mark, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal("markPrice", error.ParamName);
    }

    [Fact]
    public void AMarkThatValuesAnInventoryBeyondTheBound_IsRefused_NotOverflowed()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "BIG", TickSize = 1m, QuantityStep = 1m });
        grid.OpenFilled(1m, 1_000_000_000_000m); // a trillion units at 1

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => grid.Manager.GetValuation(10_000m));

        Assert.Equal("markPrice", error.ParamName);
        Assert.Contains("slot 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1_000_000_000_000m * 999m, grid.Manager.GetValuation(1_000m).UnrealizedPnl);
    }
}
