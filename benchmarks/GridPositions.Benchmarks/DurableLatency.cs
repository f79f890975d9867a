using System.Diagnostics;
using System.Globalization;
using System.Diagnostics.Metrics;
using HdrHistogram;

namespace GridPositions.Benchmarks;

/// <summary>
/// The time from an awaited update to its durable acknowledgement, for one consumer on a file store with group commit:
/// back to back (each awaited before the next: one fsync each), paced (sent on a fixed schedule without waiting, so
/// group commit shares fsyncs; latency from the scheduled send time, so a stall counts for every update it delayed:
/// no coordinated omission), and batches of 64 awaited back to back (per batch). The floor is one fsync of a record's
/// bytes in the same directory, measured in the same run.
/// </summary>
internal static class DurableLatency
{
    public static void Run(TimeSpan duration)
    {
        string directory = Path.Combine(Path.GetTempPath(), "gridpositions-latency-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            LongHistogram floor = Fsync(directory, duration);
            double fsync = floor.GetValueAtPercentile(50);
            Console.WriteLine($"Durable ingestion, one consumer, GroupCommit on {directory}'s file system, {duration.TotalSeconds:F0} s per row; latency from send to durable acknowledgement in microseconds; x fsync = p99 / the floor's p50.");
            Console.WriteLine();
            Console.WriteLine("| Case | Count | p50 | p99 | p99.9 | max | p99 x fsync | the journal's flushes in the run: count, p50, p99 |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
            Print("floor: append 160 bytes and fsync", (floor, null), fsync);
            Print("awaited update, back to back", WithManager(directory, m => BackToBack(m, duration)), fsync);
            double rate = Math.Round(0.5 * 1e9 / fsync / 100) * 100; // half of one update per fsync: a load it must keep up with
            foreach (double pace in new[] { rate, 4 * rate })
            {
                LongHistogram fromSent = LatencyHarness.NewHistogram();
                Print(string.Create(CultureInfo.InvariantCulture, $"awaited update, paced at {pace:N0}/s, from its scheduled time"), WithManager(directory, m => Paced(m, duration, pace, fromSent)), fsync);
                Print(string.Create(CultureInfo.InvariantCulture, $"awaited update, paced at {pace:N0}/s, from its call"), (fromSent, null), fsync);
            }
            Print("awaited batch of 64, back to back (per batch)", WithManager(directory, m => Batches(m, duration)), fsync);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Print(string label, (LongHistogram Latency, LongHistogram? Flushes) run, double fsync) =>
        Console.WriteLine(LatencyHarness.Row(label, run.Latency, 1_000.0, "F0") + string.Create(CultureInfo.InvariantCulture,
            $" {run.Latency.GetValueAtPercentile(99) / fsync:F1} | {(run.Flushes is { } f ? $"{f.TotalCount:N0}, {f.GetValueAtPercentile(50) / 1_000.0:F0}, {f.GetValueAtPercentile(99) / 1_000.0:F0}" : "")} |"));

    private static LongHistogram Fsync(string directory, TimeSpan duration)
    {
        LongHistogram histogram = LatencyHarness.NewHistogram();
        byte[] record = new byte[160];
        using var file = new FileStream(Path.Combine(directory, "floor.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            long start = Stopwatch.GetTimestamp();
            file.Write(record);
            file.Flush(flushToDisk: true);
            histogram.RecordValue(LatencyHarness.Nanos(Stopwatch.GetTimestamp() - start));
        }

        return histogram;
    }

    /// <summary>Runs <paramref name="measure"/> on a manager opened on a fresh store, with live orders of <see cref="Grids.HugeQuantity"/> to fill.</summary>
    /// <remarks>The journal's own flush times (its histogram instrument) are collected alongside, from after the warm-up.</remarks>
    private static (LongHistogram, LongHistogram?) WithManager(string root, Func<Feed, LongHistogram> measure)
    {
        string directory = Path.Combine(root, Guid.NewGuid().ToString("N"));
        using var meters = new Meters();
        using FilePositionStore store = FilePositionStore.Open(directory, Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, Grids.Options(), meterFactory: meters);
        try
        {
            var feed = new Feed(manager, Grids.LiveOpeningOrders(manager, 64));
            for (int i = 0; i < 200; i++)
            {
                feed.Send().AsTask().GetAwaiter().GetResult(); // warm up
            }

            LongHistogram flushes = LatencyHarness.NewHistogram();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "gridpositions.journal.flush.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
            {
                lock (flushes)
                {
                    flushes.RecordValue((long)(seconds * 1e9));
                }
            });
            listener.Start();
            return (measure(feed), flushes);
        }
        finally
        {
            manager.Dispose();
        }
    }

    private sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private static LongHistogram BackToBack(Feed feed, TimeSpan duration)
    {
        LongHistogram histogram = LatencyHarness.NewHistogram();
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            long start = Stopwatch.GetTimestamp();
            feed.Send().AsTask().GetAwaiter().GetResult();
            histogram.RecordValue(LatencyHarness.Nanos(Stopwatch.GetTimestamp() - start));
        }

        return histogram;
    }

    /// <summary>
    /// Sends at <paramref name="perSecond"/> on a fixed schedule, never waiting for an acknowledgement. The consumer sleeps
    /// between messages (a spinning one would take a core of two from the flush), so what falls due during a millisecond's
    /// sleep goes out together, as a stream's packets do; each latency runs from its scheduled
    /// send time, so the consumer's own lateness counts too (<paramref name="fromScheduled"/>), and from the call itself
    /// (<paramref name="fromSent"/>: the library's part).
    /// </summary>
    private static LongHistogram Paced(Feed feed, TimeSpan duration, double perSecond, LongHistogram fromSent)
    {
        LongHistogram fromScheduled = LatencyHarness.NewHistogram();
        double interval = Stopwatch.Frequency / perSecond;
        long begin = Stopwatch.GetTimestamp();
        long count = (long)(duration.TotalSeconds * perSecond);
        var pending = new List<Task>();
        for (long i = 0; i < count; i++)
        {
            long scheduled = begin + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < scheduled)
            {
                Thread.Sleep(1); // the finest sleep there is: the updates due meanwhile then go out together, each late by up to a millisecond
            }

            long sent = Stopwatch.GetTimestamp();
            pending.Add(Acknowledged(feed.Send(), scheduled, sent));
        }

        Task.WaitAll(pending);
        return fromScheduled;

        async Task Acknowledged(ValueTask<InputDisposition> durable, long scheduled, long sent)
        {
            await durable.ConfigureAwait(false);
            long now = Stopwatch.GetTimestamp();
            lock (fromScheduled)
            {
                fromScheduled.RecordValue(LatencyHarness.Nanos(now - scheduled));
                fromSent.RecordValue(LatencyHarness.Nanos(now - sent));
            }
        }
    }

    private static LongHistogram Batches(Feed feed, TimeSpan duration)
    {
        LongHistogram histogram = LatencyHarness.NewHistogram();
        long until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var batch = new OrderUpdate[64];
        while (Stopwatch.GetTimestamp() < until)
        {
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = feed.Next();
            }

            long start = Stopwatch.GetTimestamp();
            feed.Manager.OnOrderUpdatesAsync(batch).AsTask().GetAwaiter().GetResult();
            histogram.RecordValue(LatencyHarness.Nanos(Stopwatch.GetTimestamp() - start));
        }

        return histogram;
    }

    /// <summary>One consumer's stream: each update grows one live order's cumulative fill, so each is applied and journaled.</summary>
    private sealed class Feed(SuperPositionManager manager, string[] orderIds)
    {
        private readonly decimal[] _filled = new decimal[orderIds.Length];
        private int _next;

        public SuperPositionManager Manager => manager;

        public OrderUpdate Next()
        {
            int level = _next = (_next + 1) % orderIds.Length;
            return new OrderUpdate { OrderId = orderIds[level], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_filled[level] };
        }

        public ValueTask<InputDisposition> Send() => manager.OnOrderUpdateAsync(Next());
    }
}
