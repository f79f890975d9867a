using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace GridPositions.Orleans.Tests;

/// <summary>The grain's storage: the file store's compare-and-swap, and recovery that refuses records read across another activation's checkpoint.</summary>
public sealed class StorageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gp-storage-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private sealed class Record<T> : IGrainState<T>
    {
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public T State { get; set; } = default!;

        public string? ETag { get; set; }

        public bool RecordExists { get; set; }
    }

    private static readonly GrainId s_grain = GrainId.Create("position", "main/BTCUSDT/long");

    [Fact]
    public async Task TwoWritersWithTheSameETag_OneWins_TheOtherIsRefused_AndAnOldETagStaysRefused()
    {
        var storage = new FileGrainStorage(_directory, _services.GetRequiredService<Serializer>());
        var first = new Record<PositionJournalState> { State = new PositionJournalState() };
        await storage.ReadStateAsync("journal", s_grain, first);
        var second = new Record<PositionJournalState> { State = new PositionJournalState(), ETag = first.ETag };

        await storage.WriteStateAsync("journal", s_grain, first);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("journal", s_grain, second));

        // The live writer moves on twice (deleting old versions); the stale one, with the first ETag, is still refused.
        await storage.WriteStateAsync("journal", s_grain, first);
        await storage.WriteStateAsync("journal", s_grain, first);
        var stale = new Record<PositionJournalState> { State = new PositionJournalState(), ETag = "1" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("journal", s_grain, stale));

        var read = new Record<PositionJournalState>();
        await storage.ReadStateAsync("journal", s_grain, read);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public void Recovery_RefusesASnapshotOlderThanTheJournalsTrim_AndAJournalWithAGap()
    {
        var snapshot = new PositionSnapshotState { Payload = [1], JournalStartSequence = 5 };
        var trimmedLater = new PositionJournalState { TrimmedBelow = 9, Entries = [new PositionJournalEntry(9, [2])] };
        Assert.Throws<InconsistentStateException>(() => new GrainStore(snapshot, trimmedLater).Recover());

        var gap = new PositionJournalState { TrimmedBelow = 5, Entries = [new PositionJournalEntry(7, [2])] };
        Assert.Throws<InconsistentStateException>(() => new GrainStore(snapshot, gap).Recover());

        var whole = new PositionJournalState { TrimmedBelow = 5, Entries = [new PositionJournalEntry(4, [0]), new PositionJournalEntry(5, [1]), new PositionJournalEntry(6, [2])] };
        StoreRecovery recovered = new GrainStore(snapshot, whole).Recover();
        Assert.Equal([5UL, 6UL], recovered.Journal.Select(e => e.Sequence));
        Assert.Equal(7UL, recovered.NextSequence);
    }
}
