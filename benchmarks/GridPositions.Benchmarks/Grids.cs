namespace GridPositions.Benchmarks;

/// <summary>Managers set up in the states the benchmarks start from.</summary>
public static class Grids
{
    /// <summary>Large enough that the benchmarks never fill an order.</summary>
    public const decimal HugeQuantity = 10_000_000_000m; // times the highest level stays within the 10^15 bound

    public static PositionManagerOptions Options(int retired = 4096) => new()
    {
        Symbol = "BENCH",
        TickSize = 1m,
        QuantityStep = 1m,
        RetiredOrderCapacity = retired,
    };

    public static decimal Level(int i) => 10_000m + i;

    /// <summary>A live opening order of <see cref="HugeQuantity"/> on each level; returns the order ids.</summary>
    public static string[] LiveOpeningOrders(SuperPositionManager manager, int levels, int from = 0)
    {
        var ids = new string[levels];
        for (int i = 0; i < levels; i++)
        {
            decimal price = Level(from + i);
            OrderAction action = manager.ClaimSlot(ClaimRequest.Place(price, OrderSide.Buy, price, HugeQuantity)).Action;
            ids[i] = "O" + (from + i);
            manager.ApplyActionResults([OrderActionResult.Placed(action, ids[i])]);
        }

        return ids;
    }

    /// <summary>Each level holds <see cref="HugeQuantity"/> with a live closing order for all of it; returns the closing order ids.</summary>
    public static string[] LiveClosingOrders(SuperPositionManager manager, int levels, int from = 0)
    {
        string[] opening = LiveOpeningOrders(manager, levels, from);
        var ids = new string[levels];
        for (int i = 0; i < levels; i++)
        {
            decimal price = Level(from + i);
            manager.OnOrderUpdate(new OrderUpdate { OrderId = opening[i], Status = OrderStatus.Filled, CumulativeFilledQuantity = HugeQuantity });
            OrderAction close = manager.ClaimSlot(ClaimRequest.Place(price, OrderSide.Sell, price + 1, HugeQuantity)).Action;
            ids[i] = "C" + (from + i);
            manager.ApplyActionResults([OrderActionResult.Placed(close, ids[i])]);
        }

        return ids;
    }
}
