using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// The mixed workload (80% updates, 20% claims and results) at 1, 2 and 4 threads, each thread on its own levels
/// (disjoint) or all threads on the same levels (shared). Each invocation runs the same total number of operations,
/// split between the threads, so Mean is wall time per operation and the ops/s column is total throughput.
/// </summary>
public class MixedBenchmarks
{
    private const int TotalOps = 48_000, LevelsPerThread = 16;
    private ThreadedRunner _runner = null!;

    [Params(1, 2, 4)]
    public int Threads { get; set; }

    [Params(SlotSharing.Disjoint, SlotSharing.Shared)]
    public SlotSharing Slots { get; set; }

    [GlobalSetup(Target = nameof(Mixed))]
    public void SetupMixed()
    {
        var manager = new SuperPositionManager(Grids.Options());
        MixedWorkload[] workloads = [.. Enumerable.Range(0, Threads).Select(t => new MixedWorkload(manager, LevelsOf(t), $"T{t}-"))];
        _runner = new ThreadedRunner(Threads, t =>
        {
            MixedWorkload workload = workloads[t];
            for (int i = TotalOps / Threads; i > 0; i--)
            {
                workload.Step();
            }
        });
    }

    [GlobalSetup(Target = nameof(Floor))]
    public void SetupFloor()
    {
        var floor = new Floor(Threads * LevelsPerThread);
        _runner = new ThreadedRunner(Threads, t =>
        {
            long first = Slots == SlotSharing.Shared ? 0 : t * LevelsPerThread;
            for (int i = TotalOps / Threads; i > 0; i--)
            {
                floor.Touch(first + (i % LevelsPerThread));
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _runner.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOps, Description = "floor")]
    public void Floor() => _runner.RunOnce();

    [Benchmark(OperationsPerInvoke = TotalOps, Description = "mixed 80/20")]
    public void Mixed() => _runner.RunOnce();

    private decimal[] LevelsOf(int thread)
    {
        int first = Slots == SlotSharing.Shared ? 0 : thread * LevelsPerThread;
        return [.. Enumerable.Range(first, LevelsPerThread).Select(Grids.Level)];
    }
}

/// <summary>Whether threads work on their own levels or on the same ones.</summary>
public enum SlotSharing
{
    Disjoint,
    Shared,
}
