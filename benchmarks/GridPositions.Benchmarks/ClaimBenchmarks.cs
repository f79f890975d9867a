using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>Claims, and a full round trip: claim, place result, fill, closing claim, place result, fill.</summary>
public class ClaimBenchmarks
{
    private const int Levels = 200;
    private readonly ResultOutcome[] _outcome = new ResultOutcome[1];
    private readonly OrderActionResult[] _result = new OrderActionResult[1];
    private SuperPositionManager _manager = null!;
    private Floor _floor = null!;
    private int _next;
    private long _orders;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new SuperPositionManager(Grids.Options());
        _floor = new Floor(Levels);
    }

    [Benchmark(Baseline = true, Description = "floor")]
    public void Floor() => _floor.Touch(NextLevel());

    /// <summary>A claim, and the failed place result that frees the slot again (two calls).</summary>
    [Benchmark(Description = "claim + failed result")]
    public void Claim()
    {
        decimal price = Grids.Level(NextLevel());
        _result[0] = OrderActionResult.Failed(_manager.ClaimSlot(ClaimRequest.Place(price, OrderSide.Buy, price, 1m)).Action, "rejected");
        _manager.ApplyActionResults(_result, _outcome);
    }

    [Benchmark(Description = "round trip (6 calls)")]
    public void RoundTrip()
    {
        decimal price = Grids.Level(NextLevel());
        string open = "O" + ++_orders, close = "C" + _orders;
        Place(ClaimRequest.Place(price, OrderSide.Buy, price, 1m), open);
        _manager.OnOrderUpdate(new OrderUpdate { OrderId = open, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        Place(ClaimRequest.Place(price, OrderSide.Sell, price + 1, 1m), close);
        _manager.OnOrderUpdate(new OrderUpdate { OrderId = close, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
    }

    private void Place(ClaimRequest request, string orderId)
    {
        _result[0] = OrderActionResult.Placed(_manager.ClaimSlot(request).Action, orderId);
        _manager.ApplyActionResults(_result, _outcome);
    }

    private int NextLevel() => _next = _next == Levels - 1 ? 0 : _next + 1;
}
