using GridPositions.Slots;

namespace GridPositions.Tests;

/// <summary>
/// The grid's arithmetic as a unit: the integer fast path agrees with decimal division for every price, at every tick
/// shape, and each rule's boundary is where the bound says it is.
/// </summary>
public class PriceGridRulesTests
{
    private static readonly decimal[] s_ticks = [1m, 0.1m, 0.01m, 0.0001m, 0.00000001m, 0.5m, 0.25m, 5m, 0.0000000000000000000000001m];

    /// <summary>Edges first (zero, the bound, 64-bit keys, coefficients beyond 64 bits, every scale), then random prices.</summary>
    private static IEnumerable<decimal> Prices()
    {
        decimal max = SuperPositionManager.MaxAmount;
        decimal[] edges =
        [
            0m, 0.00m, -1m, -0.01m, -100m, 1m, 100m, 100.00m, 100.005m, 0.01m, 0.001m, 0.5m, 0.25m, 0.75m,
            max, max - 1m, max + 1m, max - 0.01m, max + 0.01m, 999_999_999_999_999.9999m, 1_000_000_000_000_000.0001m,
            922_337_203_685_477m, 922_337_203_685_478m, 92_233_720_368_547.75807m, 92_233_720_368_547.75808m,
            123_456_789.123456789012345678m, 0.0000000000000000000000001m, 0.0000000000000000000000000001m,
            18_446_744_073_709_551_615m, 18_446_744_073_709_551_616m, 12_345.678901234567890123m, decimal.MaxValue, decimal.MinValue,
        ];
        foreach (decimal edge in edges)
        {
            yield return edge;
        }

        var random = new Random(12);
        for (int i = 0; i < 20_000; i++)
        {
            int scale = random.Next(0, 29);
            ulong low = (ulong)random.NextInt64() >> random.Next(0, 64);
            uint high = random.Next(4) == 0 ? (uint)random.Next() : 0u;
            yield return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, random.Next(8) == 0, (byte)scale);
        }
    }

    [Fact]
    public void TheFastPath_AgreesWithDecimalDivision_ForEveryPriceAndTick()
    {
        int onGrid = 0;
        foreach (decimal tick in s_ticks)
        {
            var grid = new PriceGrid(tick, 0.001m);
            foreach (decimal price in Prices())
            {
                bool slow = grid.TryGetTicksSlow(price, out long expected);
                bool fast = grid.TryGetTicks(price, out long ticks);
                Assert.True(slow == fast && expected == ticks, $"tick {tick}, price {price}: slow {slow}/{expected}, fast {fast}/{ticks}");
                onGrid += fast ? 1 : 0;
            }
        }

        Assert.True(onGrid > 1_000, $"{onGrid} prices on a grid: the sample did not exercise the fast path");
    }

    [Fact]
    public void Keys_AreExactAtTheBoundAndAtTheLargestKey()
    {
        var cents = new PriceGrid(0.01m, 0.001m);
        Assert.True(cents.TryGetTicks(SuperPositionManager.MaxAmount, out long top));
        Assert.Equal(100_000_000_000_000_000L, top);
        Assert.False(cents.TryGetTicks(SuperPositionManager.MaxAmount + 0.01m, out _));

        var fine = new PriceGrid(0.0001m, 0.001m); // 922337203685477 x 10^4 is the largest key below long.MaxValue
        Assert.True(fine.TryGetTicks(922_337_203_685_477m, out long largest));
        Assert.Equal(9_223_372_036_854_770_000L, largest);
        Assert.False(fine.TryGetTicks(0.00001m, out _));
    }

    [Fact]
    public void Quantities_AreValidUpToTheBound_OnTheStep_AndEachRefusalSaysWhy()
    {
        var grid = new PriceGrid(0.01m, 0.001m);
        decimal max = SuperPositionManager.MaxAmount;
        Assert.True(grid.IsValidQuantity(max));
        Assert.True(grid.IsValidQuantity(0.001m));
        Assert.False(grid.IsValidQuantity(max + 0.001m));
        Assert.False(grid.IsValidQuantity(0m));
        Assert.False(grid.IsValidQuantity(-0.001m));
        Assert.False(grid.IsValidQuantity(0.0005m));

        Assert.Equal("quantity must be positive; got 0", grid.DescribeBadQuantity(0m));
        Assert.Equal("quantity must be positive; got -1", grid.DescribeBadQuantity(-1m));
        Assert.StartsWith("quantity 1000000000000000.001 is beyond", grid.DescribeBadQuantity(max + 0.001m), StringComparison.Ordinal);
        Assert.Equal("quantity 0.0005 is not a multiple of the quantity step 0.001", grid.DescribeBadQuantity(0.0005m));
        Assert.Equal("quantity 1000000000000000 is not a multiple of the quantity step 0.001", grid.DescribeBadQuantity(max)); // at the bound it is the step that is wrong
    }

    [Fact]
    public void Prices_EachRefusalSaysWhy()
    {
        var grid = new PriceGrid(0.01m, 0.001m);
        decimal max = SuperPositionManager.MaxAmount;
        Assert.Equal("price must be positive; got 0", grid.DescribeBadPrice(0m));
        Assert.Equal("price must be positive; got -0.01", grid.DescribeBadPrice(-0.01m));
        Assert.StartsWith("price 1000000000000000.01 is beyond", grid.DescribeBadPrice(max + 0.01m), StringComparison.Ordinal);
        Assert.Equal("price 100.005 is not on the tick grid (tick size 0.01) or beyond a 64-bit tick key", grid.DescribeBadPrice(100.005m));
        Assert.Equal("price 1000000000000000 is not on the tick grid (tick size 0.01) or beyond a 64-bit tick key", grid.DescribeBadPrice(max));
        var error = Assert.Throws<ArgumentException>("request", () => grid.GetTicks(100.005m, "request"));
        Assert.StartsWith("price 100.005 is not on the tick grid", error.Message, StringComparison.Ordinal);
    }
}
