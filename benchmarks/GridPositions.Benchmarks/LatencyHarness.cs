using System.Diagnostics;
using System.Globalization;

namespace GridPositions.Benchmarks;

/// <summary>
/// Tail latency of the mixed workload at 1 and 2 threads: every call is timed (Stopwatch timestamps around it) into a
/// histogram of 10 ns buckets up to 100 µs, with the exact maximum kept; p50, p99, p99.9 and max per kind of call.
/// </summary>
public static class LatencyHarness
{
    private const int BucketNanos = 10, Buckets = 10_000;

    public static void Run(int seconds)
    {
        Console.WriteLine($"Mixed workload (80% updates, 20% claims and results), {seconds} s per row, shared levels; latency per call in microseconds.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        Console.WriteLine();
        Console.WriteLine("| Threads | Call | Count | p50 | p99 | p99.9 | max |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (int threads in new[] { 1, 2 })
        {
            foreach ((string name, Histogram histogram) in Measure(threads, TimeSpan.FromSeconds(seconds)))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {threads} | {name} | {histogram.Count:N0} | {histogram.Percentile(0.50):F2} | {histogram.Percentile(0.99):F2} | {histogram.Percentile(0.999):F2} | {histogram.MaxMicros:F2} |"));
            }
        }
    }

    private static IEnumerable<(string Name, Histogram Histogram)> Measure(int threads, TimeSpan duration)
    {
        var manager = new SuperPositionManager(Grids.Options());
        decimal[] levels = [.. Enumerable.Range(0, 16).Select(Grids.Level)];
        var histograms = new Histogram[threads, 3];
        for (int t = 0; t < threads; t++)
        {
            for (int k = 0; k < 3; k++)
            {
                histograms[t, k] = new Histogram();
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
                histograms[t, (int)kind].Record(Stopwatch.GetTimestamp() - start);
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

        var all = new Histogram();
        foreach (OperationKind kind in Enum.GetValues<OperationKind>())
        {
            var merged = new Histogram();
            for (int t = 0; t < threads; t++)
            {
                merged.Add(histograms[t, (int)kind]);
            }

            all.Add(merged);
            yield return (kind.ToString(), merged);
        }

        yield return ("all", all);
    }

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets + 1];
        private static readonly double s_nanosPerTimestamp = 1e9 / Stopwatch.Frequency;
        private long _maxNanos;

        public long Count { get; private set; }

        public double MaxMicros => _maxNanos / 1000.0;

        /// <summary>Records one call's duration, in Stopwatch timestamp units (nanoseconds on Linux).</summary>
        public void Record(long timestamps)
        {
            long nanos = (long)(timestamps * s_nanosPerTimestamp);
            _counts[Math.Min(nanos / BucketNanos, Buckets)]++;
            _maxNanos = Math.Max(_maxNanos, nanos);
            Count++;
        }

        public void Add(Histogram other)
        {
            for (int i = 0; i < _counts.Length; i++)
            {
                _counts[i] += other._counts[i];
            }

            _maxNanos = Math.Max(_maxNanos, other._maxNanos);
            Count += other.Count;
        }

        /// <summary>The upper edge of the bucket holding the given quantile, in microseconds.</summary>
        public double Percentile(double quantile)
        {
            long rank = (long)Math.Ceiling(quantile * Count), seen = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                seen += _counts[i];
                if (seen >= rank)
                {
                    return i == Buckets ? MaxMicros : (i + 1) * BucketNanos / 1000.0;
                }
            }

            return MaxMicros;
        }
    }
}
