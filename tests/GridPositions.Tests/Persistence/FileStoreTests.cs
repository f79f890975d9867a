using GridPositions.Wire;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

public class FileStoreTests
{
    private static readonly PositionManagerOptions s_options = new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        CheckpointEveryRecords = 0,
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private SuperPositionManager Open(FilePositionStore store, PositionManagerOptions? options = null) =>
        SuperPositionManager.Open(store, options ?? s_options, _time);

    /// <summary>What recovery makes of slots: a place whose result never came is Unknown from then on, since it was recovered.</summary>
    private static IReadOnlyList<SlotView> AsRecovered(IReadOnlyList<SlotView> views) =>
        [.. views.Select(v => v.Status == SlotStatus.PendingPlace ? v with { Status = SlotStatus.Unknown } : v)];

    /// <summary>Some traffic: a round trip at 100, a live half-filled order at 99, a pending claim at 98 (returned).</summary>
    private static OrderAction Trade(SuperPositionManager m, string prefix = "")
    {
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, prefix + "B1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = prefix + "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m });
        OrderAction sell = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(sell, prefix + "S1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = prefix + "S1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m });
        OrderAction half = m.ClaimSlot(ClaimRequest.Place(99m, OrderSide.Buy, 99m, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(half, prefix + "B2")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = prefix + "B2", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
        return m.ClaimSlot(ClaimRequest.Place(98m, OrderSide.Buy, 98m, 1m)).Action;
    }

    [Theory]
    [InlineData(Durability.GroupCommit)]
    [InlineData(Durability.EveryRecord)]
    public void EveryAcknowledgedChange_SurvivesReopening(Durability durability)
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, durability))
        {
            SuperPositionManager m = Open(store);
            _ = Trade(m);
            before = m.GetSlots();
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path, durability);
        SuperPositionManager recovered = Open(reopened);

        Assert.Equal(AsRecovered(before), recovered.GetSlots());
        Assert.True(recovered.CheckInvariants().Holds);
        Assert.Equal(InputDisposition.Applied, recovered.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));
        OrderAction next = recovered.ClaimSlot(ClaimRequest.Place(97m, OrderSide.Buy, 97m, 1m)).Action;
        Assert.DoesNotContain(next.ClientOrderId, before.Where(s => s.Order is not null).Select(s => s.Order!.ClientOrderId));
        Assert.True(next.ClaimToken > before.Max(s => s.Order?.ClaimToken ?? 0));
    }

    [Fact]
    public void Checkpoints_KeepDiskUseBounded_AndRecoveryStillReplaysEverything()
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, CheckpointEveryRecords = 25 });
            for (int round = 0; round < 20; round++)
            {
                OrderAction pending = Trade(m, $"r{round}-");
                m.OnOrderUpdate(new OrderUpdate { OrderId = $"r{round}-B2", Status = OrderStatus.Canceled, CumulativeFilledQuantity = 1m });
                OrderAction close = m.ClaimSlot(ClaimRequest.Place(99m, OrderSide.Sell, 100m, 1m)).Action;
                m.ApplyActionResults([OrderActionResult.Placed(close, $"r{round}-S2")]);
                m.OnOrderUpdate(new OrderUpdate { OrderId = $"r{round}-S2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
                m.ApplyActionResults([OrderActionResult.Failed(pending, "rejected")]);
            }

            before = m.GetSlots();
        }

        Assert.True(dir.Files("snapshot-*.gps").Length <= 2, string.Join(", ", dir.Files("*")));
        Assert.True(dir.Files("journal-*.gpj").Length <= 3, string.Join(", ", dir.Files("*")));
        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Equal(AsRecovered(before), Open(reopened).GetSlots());
    }

    [Fact]
    public void ATornLastRecord_IsCutOff_AndRecoveryEndsAtTheRecordBeforeIt()
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> beforeLastChange;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = Open(store);
            _ = Trade(m);
            beforeLastChange = m.GetSlots();
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        long full = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(full - 7); // the crash hit mid-write of the last record
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager recovered = Open(reopened);

        Assert.Equal(AsRecovered(beforeLastChange), recovered.GetSlots());
        recovered.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }); // appends after the cut
        reopened.Dispose();
        using FilePositionStore again = FilePositionStore.Open(dir.Path);
        Assert.Equal(2m, Open(again).GetSlot(99m)!.Inventory);
    }

    [Fact]
    public void GarbageAfterTheLastRecord_IsATornWrite_AndIsCutOff()
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = Open(store);
            _ = Trade(m);
            before = m.GetSlots();
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        byte[] intact = File.ReadAllBytes(segment);
        File.AppendAllText(segment, "\x10\0\0\0garbage!");

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager recovered = Open(reopened);
        Assert.Equal(AsRecovered(before), recovered.GetSlots());
        Assert.Equal(1, recovered.Counters.TornTailsCut);

        // The garbage is gone: the segment is the intact records, then only what the recovered manager wrote since.
        Assert.Equal(intact, File.ReadAllBytes(segment).AsSpan(0, intact.Length).ToArray());
        Assert.DoesNotContain("garbage", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(segment)), StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptionBeforeTheLastRecord_StopsRecovery_NamingTheFileAndOffset()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            _ = Trade(Open(store));
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[8 + 8 + 3] ^= 0xFF; // inside the first record's payload
        File.WriteAllBytes(segment, bytes);

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        var error = Assert.Throws<StoreCorruptedException>(() => Open(reopened));
        Assert.Equal(segment, error.File);
        Assert.Equal(8, error.Offset);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownFormatVersion_IsRefusedClearly()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            _ = Trade(Open(store));
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[4] = 2;
        File.WriteAllBytes(segment, bytes);

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Contains("format version 2 is not supported", Assert.Throws<StoreCorruptedException>(() => Open(reopened)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADamagedSnapshot_IsRefused_NamingTheFile()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            Open(store).Checkpoint();
        }

        string snapshot = dir.Files("snapshot-*.gps")[^1];
        byte[] bytes = File.ReadAllBytes(snapshot);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(snapshot, bytes);

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Equal(snapshot, Assert.Throws<StoreCorruptedException>(() => Open(reopened)).File);
    }

    [Fact]
    public void ASecondOwner_IsRefused_AndTheLockReleasesWithTheFirst()
    {
        using var dir = new StoreDirectory();
        FilePositionStore first = FilePositionStore.Open(dir.Path);

        var error = Assert.Throws<StoreLockedException>(() => FilePositionStore.Open(dir.Path));
        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);

        first.Dispose();
        FilePositionStore.Open(dir.Path).Dispose();
    }

    [Fact]
    public void WithDurabilityNone_OnlyCheckpointsSurvive()
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> atCheckpoint;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None))
        {
            SuperPositionManager m = Open(store);
            _ = Trade(m);
            m.Checkpoint();
            atCheckpoint = m.GetSlots();
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });
        }

        Assert.Empty(dir.Files("journal-*.gpj"));
        using FilePositionStore reopened = FilePositionStore.Open(dir.Path, Durability.None);
        Assert.Equal(AsRecovered(atCheckpoint), Open(reopened).GetSlots());
    }

    [Fact]
    public void AStoreForAnotherInstrument_IsRefused()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            _ = Trade(Open(store));
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Throws<ArgumentException>("snapshot", () => Open(reopened, new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m }));
    }

    [Fact]
    public void AJournalWithoutASnapshot_IsCorruption()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            _ = Trade(Open(store));
        }

        foreach (string snapshot in dir.Files("snapshot-*.gps"))
        {
            File.Delete(snapshot);
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Throws<StoreCorruptedException>(() => Open(reopened));
    }
}
