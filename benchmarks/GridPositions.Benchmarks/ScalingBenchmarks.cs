using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// OnOrderUpdate at 20, 200 and 2000 grid levels, with no slot holding inventory (opening fills) and with half of
/// them holding it (closing fills on those): the cost per update must not grow with either.
/// </summary>
public class ScalingBenchmarks
{
    private SuperPositionManager _manager = null!;
    private string[] _orderIds = null!;
    private decimal[] _filled = null!;
    private Floor _floor = null!;
    private int _next;

    [Params(20, 200, 2000)]
    public int Levels { get; set; }

    [Params(false, true)]
    public bool HalfHoldInventory { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _manager = new SuperPositionManager(Grids.Options());
        int holding = HalfHoldInventory ? Levels / 2 : 0;
        _orderIds = [.. Grids.LiveClosingOrders(_manager, holding), .. Grids.LiveOpeningOrders(_manager, Levels - holding, from: holding)];
        _filled = new decimal[Levels];
        _floor = new Floor(Levels);
    }

    [Benchmark(Baseline = true, Description = "floor")]
    public void Floor() => _floor.Touch(NextLevel());

    [Benchmark(Description = "OnOrderUpdate")]
    public InputDisposition OnOrderUpdate()
    {
        int i = NextLevel();
        return _manager.OnOrderUpdate(new OrderUpdate { OrderId = _orderIds[i], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_filled[i] });
    }

    private int NextLevel() => _next = _next == Levels - 1 ? 0 : _next + 1;
}
