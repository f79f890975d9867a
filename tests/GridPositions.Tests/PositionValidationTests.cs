namespace GridPositions.Tests;

/// <summary>The position parameters of seed 002: quantity, price, leverage, stop-loss fraction, one position per slot.</summary>
public class PositionValidationTests
{
    [Theory]
    [InlineData(0, null, "Leverage must be within 1..125; got 0")]
    [InlineData(126, null, "Leverage must be within 1..125; got 126")]
    [InlineData(-5, null, "Leverage must be within 1..125")]
    [InlineData(null, 0.0, "StopLossFraction must be strictly between 0 and 1; got 0")]
    [InlineData(null, 1.0, "StopLossFraction must be strictly between 0 and 1; got 1")]
    [InlineData(null, 1.5, "StopLossFraction must be strictly between 0 and 1")]
    [InlineData(null, -0.1, "StopLossFraction must be strictly between 0 and 1")]
    public void OpeningClaim_WithParametersOutOfRange_IsRefused_AndNothingChanges(int? leverage, double? stopLossFraction, string expected)
    {
        var grid = new TestGrid();
        ClaimRequest request = ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = leverage, StopLossFraction = (decimal?)stopLossFraction };

        ClaimResult result = grid.Manager.ClaimSlot(request);

        Assert.Equal(ClaimRejection.Invalid, result.Rejection);
        Assert.StartsWith(expected, result.Detail, StringComparison.Ordinal);
        Assert.Null(grid.Manager.GetSlot(100m));
    }

    [Theory]
    [InlineData(1, 0.0001)]
    [InlineData(125, 0.9999)]
    [InlineData(20, 0.05)]
    public void OpeningClaim_WithParametersInRange_IsAccepted_AndRecordsThem(int leverage, double stopLossFraction)
    {
        var grid = new TestGrid();
        grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = leverage, StopLossFraction = (decimal)stopLossFraction });
        Assert.Equal((leverage, (decimal)stopLossFraction), (grid.Slot(100m).Leverage, grid.Slot(100m).StopLossFraction));
    }

    [Fact]
    public void MaxLeverage_IsConfigurable()
    {
        var grid = new TestGrid(options: new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m, MaxLeverage = 20 });
        Assert.Contains("1..20", grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 21 }).Detail, StringComparison.Ordinal);
        Assert.True(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 20 }).IsAccepted);
        Assert.Throws<ArgumentException>("MaxLeverage", () => new SuperPositionManager(new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m, MaxLeverage = 0 }));
    }

    [Fact]
    public void PositionParameters_OnAClosingOrder_AreRefused()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        Assert.Equal("Leverage applies only to an opening order", grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m) with { Leverage = 5 }).Detail);
        Assert.Equal("StopLossFraction applies only to an opening order", grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m) with { StopLossFraction = 0.1m }).Detail);
    }

    [Fact]
    public void OnePositionPerSlot()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        Assert.Equal(ClaimRejection.PositionAlreadyOpen, grid.Manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 5 }).Rejection);
    }

    [Fact]
    public void ParametersOfAnOpeningOrderThatNeverFilled_AreGoneWithIt()
    {
        var grid = new TestGrid();
        OrderAction open = grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 3 });
        grid.Update(open, grid.Place(open), OrderStatus.Canceled, 0m);
        Assert.Null(grid.Slot(100m).Leverage);
    }
}
