using GridPositions.Fills;

namespace GridPositions.Tests;

/// <summary>The position book's edges: the product bound exactly at the bound, and a round trip after an exchange write-off.</summary>
public class FillRulesTests
{
    [Fact]
    public void AProductExactlyAtTheBound_Fits_AndOneStepBeyondDoesNot()
    {
        Assert.True(Amounts.ProductFits(2m, Amounts.Max / 2m));
        Assert.False(Amounts.ProductFits(2m, (Amounts.Max / 2m) + 0.001m));
        Assert.True(Amounts.ProductFits(0.5m, Amounts.Max));
        Assert.True(Amounts.Fits(-Amounts.Max));
        Assert.False(Amounts.Fits(-Amounts.Max - 0.001m));
    }

    [Fact]
    public async Task AfterTheExchangeFlattensASlot_TheNextRoundTripCountsOnlyItsOwnFills()
    {
        var grid = new TestGrid();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.RoundTripCompleted += (_, e) => trips.Add(e);
        grid.OpenFilled(100m, quantity: 2m);
        OrderAction half = grid.ClaimClose(100m, 101m, quantity: 1m);
        grid.Update(half, grid.Place(half), OrderStatus.Filled, 1m); // a partial close: no trip yet
        Assert.Equal(CloseStatus.AlreadyFlat, grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0m)).Status); // written off

        grid.OpenFilled(100m, quantity: 1m);
        OrderAction close = grid.ClaimClose(100m, 102m, quantity: 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);

        await grid.Manager.FlushEventsAsync();
        RoundTripCompletedEventArgs trip = Assert.Single(trips);
        Assert.Equal((1L, 1m, 100m, 102m, 2m), (trip.Number, trip.Quantity, trip.EntryNotional, trip.ExitNotional, trip.RealizedPnl));
    }
}
