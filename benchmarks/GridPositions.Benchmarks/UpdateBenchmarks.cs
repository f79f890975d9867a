using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>OnOrderUpdate in steady state: partial fills on the live orders of a 200-level grid, one level after another.</summary>
public class UpdateBenchmarks
{
    private const int Levels = 200;
    private SuperPositionManager _manager = null!;
    private string[] _orderIds = null!;
    private decimal[] _filled = null!;
    private Floor _floor = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new SuperPositionManager(Grids.Options());
        _orderIds = Grids.LiveOpeningOrders(_manager, Levels);
        _filled = new decimal[Levels];
        _floor = new Floor(Levels);
    }

    [Benchmark(Baseline = true, Description = "floor: lock, lookup, slot lock, write")]
    public void Floor() => _floor.Touch(NextLevel());

    [Benchmark(Description = "OnOrderUpdate (partial fill)")]
    public InputDisposition OnOrderUpdate()
    {
        int i = NextLevel();
        return _manager.OnOrderUpdate(new OrderUpdate { OrderId = _orderIds[i], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_filled[i] });
    }

    private int NextLevel() => _next = _next == Levels - 1 ? 0 : _next + 1;
}
