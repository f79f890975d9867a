using CsCheck;
using GridPositions.Slots;

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

    [Fact]
    public void Options_AreCopiedAtConstruction_SoLaterChangesOnEitherSideChangeNothing()
    {
        var options = new PositionManagerOptions { Symbol = "X", TickSize = 1m, QuantityStep = 1m, MaxLeverage = 10 };
        var manager = new SuperPositionManager(options);

        options.MaxLeverage = 1;          // the caller's object
        manager.Options.MaxLeverage = 1;  // the copy the manager hands out
        options.TickSize = 0m;

        Assert.Equal(10, manager.Options.MaxLeverage);
        Assert.True(manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 5 }).IsAccepted);
        Assert.Equal(1m, manager.Options.TickSize);
    }

    /// <summary>The integer fast path for power-of-ten tick sizes agrees with plain decimal division, for any price.</summary>
    [Fact]
    public void TickKeys_FastPathAgreesWithDecimalDivision()
    {
        Gen<decimal> prices = Gen.OneOf(
            Gen.Select(Gen.Int, Gen.Int, Gen.Int[0, 3], Gen.Bool, Gen.Byte[0, 28], (lo, mid, hi, negative, scale) => new decimal(lo, mid, hi, negative, scale)),
            Gen.Select(Gen.Long[1, 10_000_000_000], Gen.Byte[0, 12], (coefficient, scale) => new decimal((int)coefficient, (int)(coefficient >> 32), 0, false, scale)));
        decimal[] tickSizes = [1m, 0.1m, 0.01m, 0.001m, 0.00000001m, 10m, 0.5m, 0.25m, 0.05m, 1.00m, 0.010m];
        Gen<decimal> ticks = Gen.Int[0, tickSizes.Length - 1].Select(i => tickSizes[i]);
        Gen.Select(prices, ticks).Sample((price, tick) =>
        {
            var grid = new PriceGrid(tick, 1m);
            bool onGrid = price > 0 && price <= SuperPositionManager.MaxAmount && price % tick == 0 && price / tick <= long.MaxValue;
            Assert.Equal(onGrid, grid.TryGetTicks(price, out long key));
            if (onGrid)
            {
                Assert.Equal((long)(price / tick), key);
            }
        }, iter: 50_000);
    }
}
