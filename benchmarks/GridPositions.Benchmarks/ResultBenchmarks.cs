using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace GridPositions.Benchmarks;

/// <summary>
/// ApplyActionResults per result: batches of 10 place results on claimed slots. Each iteration starts from freshly
/// claimed slots (set up outside the measurement); the manager and its indexes are reused, so their capacity is warm.
/// The Monitoring strategy runs each iteration once, which is what a per-iteration setup needs (it runs besides any
/// --job given). 2,000 levels, the size of a large grid, and 300 warm-up iterations so the code is fully optimised.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 300, iterationCount: 100)]
public class ResultBenchmarks
{
    private const int Slots = 2_000, Batch = 10;
    private readonly ResultOutcome[] _outcomes = new ResultOutcome[Batch];
    private SuperPositionManager _manager = null!;
    private OrderActionResult[][]? _batches;
    private string[] _orderIds = [];
    private Floor _floor = null!;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new SuperPositionManager(Grids.Options(retired: 0));
        _floor = new Floor(Slots);
    }

    [IterationSetup]
    public void Claim()
    {
        // Free the slots the last iteration left: a claim the floor's iteration never placed fails (a placed one is
        // refused as already seen, harmlessly), and every order the manager's iteration made live is cancelled.
        if (_batches is not null)
        {
            foreach (OrderActionResult[] batch in _batches)
            {
                _manager.ApplyActionResults([.. batch.Select(r => OrderActionResult.Failed(r.Action, "reset"))]);
            }
        }

        foreach (string id in _orderIds)
        {
            _manager.OnOrderUpdate(new OrderUpdate { OrderId = id, Status = OrderStatus.Canceled });
        }

        _round++;
        ClaimRequest[] requests = [.. Enumerable.Range(0, Slots).Select(i => ClaimRequest.Place(Grids.Level(i), OrderSide.Buy, Grids.Level(i), 1m))];
        IReadOnlyList<ClaimResult> claims = _manager.ClaimSlots(requests);
        _orderIds = [.. Enumerable.Range(0, Slots).Select(i => $"R{_round}-{i}")];
        _batches = [.. Enumerable.Range(0, Slots / Batch).Select(b => Enumerable.Range(b * Batch, Batch).Select(i => OrderActionResult.Placed(claims[i].Action, _orderIds[i])).ToArray())];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Slots, Description = "floor (per slot)")]
    public void Floor()
    {
        for (int i = 0; i < Slots; i++)
        {
            _floor.Touch(i);
        }
    }

    [Benchmark(OperationsPerInvoke = Slots, Description = "ApplyActionResults (per result, batches of 10)")]
    public void ApplyActionResults()
    {
        foreach (OrderActionResult[] batch in _batches!)
        {
            _manager.ApplyActionResults(batch, _outcomes);
        }
    }
}
