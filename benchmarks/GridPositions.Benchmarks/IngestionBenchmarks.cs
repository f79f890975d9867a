using BenchmarkDotNet.Attributes;

namespace GridPositions.Benchmarks;

/// <summary>
/// Durable ingestion by one consumer (a bot reading its stream on one task), on a <see cref="FilePositionStore"/>
/// with <see cref="Durability.GroupCommit"/> in a temporary directory: one update per call, a batch of
/// <see cref="Batch"/> per call, and the awaited batch. Each figure is per update. The floor is one fsync of a
/// batch's worth of bytes appended to a file, measured in the same run: a batch can cost no less.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class IngestionBenchmarks
{
    private const int Batch = 64, Levels = 64, RecordBytes = 160;
    private string _directory = "";
    private FilePositionStore _store = null!;
    private SuperPositionManager _manager = null!;
    private string[] _orderIds = null!;
    private decimal[] _filled = null!;
    private OrderUpdate[] _batch = null!;
    private InputDisposition[] _dispositions = null!;
    private FileStream _floorFile = null!;
    private readonly byte[] _floorBytes = new byte[Batch * RecordBytes];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "gridpositions-ingest-" + Guid.NewGuid().ToString("N"));
        _store = FilePositionStore.Open(_directory, Durability.GroupCommit);
        _manager = SuperPositionManager.Open(_store, Grids.Options());
        _orderIds = Grids.LiveOpeningOrders(_manager, Levels);
        _filled = new decimal[Levels];
        _batch = new OrderUpdate[Batch];
        _dispositions = new InputDisposition[Batch];
        _floorFile = new FileStream(Path.Combine(_directory, "floor.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floorFile.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "floor: append a batch's bytes and fsync")]
    public void Fsync()
    {
        _floorFile.Write(_floorBytes);
        _floorFile.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "OnOrderUpdate, one per call (per update)")]
    public InputDisposition One()
    {
        int level = _next = (_next + 1) % Levels;
        return _manager.OnOrderUpdate(Fill(level));
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "OnOrderUpdates, 64 per call (per update)")]
    public void Batched()
    {
        FillBatch();
        _manager.OnOrderUpdates(_batch, _dispositions);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "OnOrderUpdatesAsync, 64 per call, awaited (per update)")]
    public async Task BatchedAwaited()
    {
        FillBatch();
        await _manager.OnOrderUpdatesAsync(_batch).ConfigureAwait(false);
    }

    private int _next;

    private OrderUpdate Fill(int level) => new() { OrderId = _orderIds[level], Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = ++_filled[level] };

    private void FillBatch()
    {
        for (int i = 0; i < Batch; i++)
        {
            _batch[i] = Fill(i % Levels);
        }
    }
}
