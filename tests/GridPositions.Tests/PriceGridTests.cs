namespace GridPositions.Tests;

public class PriceGridTests
{
    [Theory]
    [InlineData("100")]
    [InlineData("100.0")]
    [InlineData("100.00")]
    [InlineData("100.000000")]
    public void SlotsAreKeyedByTicks_SoEveryFormattingOfAPriceIsOneLevel(string text)
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100.00m);
        decimal price = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(SlotStatus.PendingPlace, grid.Manager.GetSlot(price)!.Status);
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Place(price, OrderSide.Buy, price, 1m)).Rejection);
        Assert.Single(grid.Manager.GetSlots());
    }

    [Fact]
    public void GetSlot_PriceOffTheTickGrid_ThrowsNamingThePrice()
    {
        var grid = new TestGrid();
        var error = Assert.Throws<ArgumentException>("price", () => grid.Manager.GetSlot(100.001m));
        Assert.Contains("tick", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<PositionManagerOptions, string> InvalidOptions => new()
    {
        { new() { Symbol = "", TickSize = 1m, QuantityStep = 1m }, "Symbol" },
        { new() { Symbol = "X", TickSize = 0m, QuantityStep = 1m }, "TickSize" },
        { new() { Symbol = "X", TickSize = -0.1m, QuantityStep = 1m }, "TickSize" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 0m }, "QuantityStep" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, Direction = GridDirection.Unspecified }, "Direction" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, Direction = (GridDirection)7 }, "Direction" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, ParkedUpdateCapacity = 0 }, "ParkedUpdateCapacity" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, ParkedUpdateTimeToLive = TimeSpan.Zero }, "ParkedUpdateTimeToLive" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, RetiredOrderCapacity = -1 }, "RetiredOrderCapacity" },
        { new() { Symbol = "X", TickSize = 1m, QuantityStep = 1m, ClientOrderIdPrefix = "" }, "ClientOrderIdPrefix" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOption_ThrowsNamingIt(PositionManagerOptions options, string property) =>
        Assert.Throws<ArgumentException>(property, () => new SuperPositionManager(options));

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>("options", () => new SuperPositionManager(null!));
}
