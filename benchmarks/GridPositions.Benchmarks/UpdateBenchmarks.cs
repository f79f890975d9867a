using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// OnOrderUpdate in steady state: partial fills on the live orders of a 200-level grid, one level after another;
/// opening orders (the target's case) and, for comparison, closing orders (which also realise profit).
/// </summary>
public class UpdateBenchmarks
{
    private const int Levels = 200;
    private SuperPositionManager _manager = null!;
    private SuperPositionManager _closing = null!;
    private string[] _orderIds = null!;
    private string[] _closingIds = null!;
    private decimal[] _filled = null!;
    private decimal[] _closed = null!;
    private Floor _floor = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new SuperPositionManager(Grids.Options());
        _orderIds = Grids.LiveOpeningOrders(_manager, Levels);
        _filled = new decimal[Levels];
        _closing = new SuperPositionManager(Grids.Options());
        _closingIds = Grids.LiveClosingOrders(_closing, Levels);
        _closed = new decimal[Levels];
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

    [Benchmark(Description = "OnOrderUpdate (closing partial fill)")]
    public InputDisposition OnOrderUpdateClosing()
    {
        int i = NextLevel();
        return _closing.OnOrderUpdate(new OrderUpdate { OrderId = _closingIds[i], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_closed[i] });
    }

    private int NextLevel() => _next = _next == Levels - 1 ? 0 : _next + 1;
}
