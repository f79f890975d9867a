using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// What durability costs: OnOrderUpdate on a manager opened on a <see cref="FilePositionStore"/> in a temporary
/// directory, per durability setting, from 1 and 4 threads (group commit shares flushes between racing callers).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class JournalBenchmarks
{
    private const int TotalOps = 4_000, Levels = 64;
    private string _directory = "";
    private FilePositionStore _store = null!;
    private ThreadedRunner _runner = null!;

    [Params(Durability.None, Durability.GroupCommit, Durability.EveryRecord)]
    public Durability Durability { get; set; }

    [Params(1, 4)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "gridpositions-bench-" + Guid.NewGuid().ToString("N"));
        _store = FilePositionStore.Open(_directory, Durability);
        SuperPositionManager manager = SuperPositionManager.Open(_store, Grids.Options());
        string[] orderIds = Grids.LiveOpeningOrders(manager, Levels);
        var filled = new decimal[Levels];
        int perThread = Levels / Threads;
        _runner = new ThreadedRunner(Threads, t =>
        {
            for (int i = 0; i < TotalOps / Threads; i++)
            {
                int level = (t * perThread) + (i % perThread);
                manager.OnOrderUpdate(new OrderUpdate { OrderId = orderIds[level], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++filled[level] });
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runner.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = TotalOps, Description = "OnOrderUpdate with a store")]
    public void Update() => _runner.RunOnce();
}
