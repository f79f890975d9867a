using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace GridPositions.Benchmarks;

/// <summary>
/// Tail latency, recorded in HdrHistogram (nanoseconds, 3 significant digits): the in-memory mixed workload at 1 and 2
/// threads (every call timed), then durable ingestion by one consumer on a <see cref="FilePositionStore"/> with
/// <see cref="Durability.GroupCommit"/>: the time from an awaited update to its durable acknowledgement, back to back and
/// paced, beside the fsync floor measured in the same run.
/// </summary>
public static class LatencyHarness
{
    private const long MaxNanos = 60_000_000_000; // a minute: nothing recorded here may be clipped

    public static void Run(int seconds)
    {
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        Console.WriteLine();
        Console.WriteLine($"Mixed workload (80% updates, 20% claims and results), {seconds} s per row, shared levels; latency per call in microseconds.");
        Console.WriteLine();
        Console.WriteLine("| Threads | Call | Count | p50 | p99 | p99.9 | max |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (int threads in new[] { 1, 2 })
        {
            foreach ((string name, LongHistogram histogram) in Measure(threads, TimeSpan.FromSeconds(seconds)))
            {
                Console.WriteLine(Row($"{threads} | {name}", histogram, 1_000.0, "F2"));
            }
        }

        Console.WriteLine();
        DurableLatency.Run(TimeSpan.FromSeconds(seconds));
    }

    internal static LongHistogram NewHistogram() => new(MaxNanos, 3);

    /// <summary>A table row: count, p50, p99, p99.9 and max, each divided by <paramref name="unit"/> nanoseconds.</summary>
    internal static string Row(string label, HistogramBase h, double unit, string format) => string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {h.TotalCount:N0} | {(h.GetValueAtPercentile(50) / unit).ToString(format, CultureInfo.InvariantCulture)} | {(h.GetValueAtPercentile(99) / unit).ToString(format, CultureInfo.InvariantCulture)} | {(h.GetValueAtPercentile(99.9) / unit).ToString(format, CultureInfo.InvariantCulture)} | {(h.GetMaxValue() / unit).ToString(format, CultureInfo.InvariantCulture)} |");

    internal static long Nanos(long timestamps) => (long)(timestamps * (1e9 / Stopwatch.Frequency));

    private static IEnumerable<(string Name, LongHistogram Histogram)> Measure(int threads, TimeSpan duration)
    {
        var manager = new SuperPositionManager(Grids.Options());
        decimal[] levels = [.. Enumerable.Range(0, 16).Select(Grids.Level)];
        var histograms = new LongHistogram[threads, 3];
        for (int t = 0; t < threads; t++)
        {
            for (int k = 0; k < 3; k++)
            {
                histograms[t, k] = NewHistogram();
            }
        }

        // Warm up (JIT, dictionaries), then measure.
        var warm = new MixedWorkload(manager, levels, "W-");
        for (int i = 0; i < 200_000; i++)
        {
            warm.Step();
        }

        bool stop = false;
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var workload = new MixedWorkload(manager, levels, $"L{t}-");
            while (!Volatile.Read(ref stop))
            {
                OperationKind kind = workload.Next;
                long start = Stopwatch.GetTimestamp();
                workload.Step();
                histograms[t, (int)kind].RecordValue(Nanos(Stopwatch.GetTimestamp() - start));
            }
        }))];
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        Thread.Sleep(duration);
        Volatile.Write(ref stop, true);
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        LongHistogram all = NewHistogram();
        foreach (OperationKind kind in Enum.GetValues<OperationKind>())
        {
            LongHistogram merged = NewHistogram();
            for (int t = 0; t < threads; t++)
            {
                merged.Add(histograms[t, (int)kind]);
            }

            all.Add(merged);
            yield return (kind.ToString(), merged);
        }

        yield return ("all", all);
    }
}
