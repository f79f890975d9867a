using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// OnOrderUpdate at 20, 200 and 2000 grid levels, with no slot holding inventory and with half of them holding it
/// (each with a resting closing order): the same update, a partial fill of an opening order, must cost the same in
/// every case, because nothing on the update path passes over the slots or the positions.
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
        Grids.LiveClosingOrders(_manager, holding);
        _orderIds = Grids.LiveOpeningOrders(_manager, Levels - holding, from: holding);
        _filled = new decimal[_orderIds.Length];
        _floor = new Floor(_orderIds.Length);
    }

    [Benchmark(Baseline = true, Description = "floor")]
    public void Floor() => _floor.Touch(NextLevel());

    [Benchmark(Description = "OnOrderUpdate")]
    public InputDisposition OnOrderUpdate()
    {
        int i = NextLevel();
        return _manager.OnOrderUpdate(new OrderUpdate { OrderId = _orderIds[i], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_filled[i] });
    }

    private int NextLevel() => _next = _next == _orderIds.Length - 1 ? 0 : _next + 1;
}
