using System.Globalization;
using GridPositions.Persistence;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// What the store does over time: automatic checkpoints at the configured count, pruning to two checkpoints, id
/// sequences recovered from the journal itself, and the exact edges of a torn record.
/// </summary>
public class StoreLifecycleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static PositionManagerOptions Options(int checkpointEvery = 0) => new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        CheckpointEveryRecords = checkpointEvery,
    };

    private static ulong[] Numbers(StoreDirectory dir, string pattern) =>
        [.. dir.Files(pattern).Select(f => ulong.Parse(Path.GetFileName(f).Split('-', '.')[1], CultureInfo.InvariantCulture))];

    [Fact]
    public void ACheckpointRunsByItselfEveryConfiguredNumberOfRecords_AndTheCountStartsAgainAfterEach()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        SuperPositionManager m = SuperPositionManager.Open(store, Options(checkpointEvery: 5), _time);

        for (int i = 0; i < 4; i++)
        {
            m.ClaimSlot(ClaimRequest.Place(100m + i, OrderSide.Buy, 100m + i, 1m)); // one record each
        }

        Assert.Equal([1UL], Numbers(dir, "snapshot-*.gps")); // the one Open wrote; four records are not five
        m.ClaimSlot(ClaimRequest.Place(104m, OrderSide.Buy, 104m, 1m));
        Assert.Equal([1UL, 6UL], Numbers(dir, "snapshot-*.gps")); // the fifth record's call checkpointed
        for (int i = 5; i < 9; i++)
        {
            m.ClaimSlot(ClaimRequest.Place(100m + i, OrderSide.Buy, 100m + i, 1m));
        }

        Assert.Equal([1UL, 6UL], Numbers(dir, "snapshot-*.gps")); // four more: not yet
        m.ClaimSlot(ClaimRequest.Place(109m, OrderSide.Buy, 109m, 1m));
        Assert.Equal([6UL, 11UL], Numbers(dir, "snapshot-*.gps")); // the tenth; and only the two newest are kept
    }

    [Fact]
    public void EachCheckpoint_KeepsTheTwoNewestSnapshotsAndTheJournalFromTheOlder_AndRecoveryStillWorks()
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, Options(), _time);
            for (int round = 0; round < 4; round++)
            {
                OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m + round, OrderSide.Buy, 100m + round, 1m)).Action;
                m.ApplyActionResults([OrderActionResult.Placed(buy, "B" + round)]);
                m.Checkpoint();
            }

            m.OnOrderUpdate(new OrderUpdate { OrderId = "B0", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            before = m.GetSlots();
        }

        ulong[] snapshots = Numbers(dir, "snapshot-*.gps");
        Assert.Equal(2, snapshots.Length);
        Assert.All(Numbers(dir, "journal-*.gpj"), first => Assert.True(first >= snapshots[0], $"journal-{first} is older than snapshot-{snapshots[0]}"));
        Assert.Contains(snapshots[1], Numbers(dir, "journal-*.gpj")); // the newest checkpoint's own segment is there to append to

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Equal(before, SuperPositionManager.Open(reopened, Options(), _time).GetSlots());
    }

    [Fact]
    public void ReopeningFromTheJournal_ContinuesTokensAndGeneratedIdsPastEveryOneUsed_EvenThoseNoSlotHoldsAnyMore()
    {
        using var dir = new StoreDirectory();
        var used = new List<OrderAction>();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, Options(), _time);
            OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action; // generated id, then forgotten
            m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            OrderAction sell = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(sell, "S1")]);
            OrderAction cancel = m.ClaimSlot(ClaimRequest.Cancel(100m)).Action; // the highest token, then cleared
            m.ApplyActionResults([OrderActionResult.Failed(cancel, "too late")]);
            m.OnOrderUpdate(new OrderUpdate { OrderId = "S1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            used.AddRange([buy, sell, cancel]);
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager recovered = SuperPositionManager.Open(reopened, Options(), _time);
        OrderAction next = recovered.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m)).Action;

        Assert.True(next.ClaimToken > used.Max(a => a.ClaimToken), $"token {next.ClaimToken} reuses one of {string.Join(", ", used.Select(a => a.ClaimToken))}");
        Assert.DoesNotContain(next.ClientOrderId, used.Select(a => a.ClientOrderId));
    }

    public static TheoryData<string, byte[]> TornTails => new()
    {
        { "a frame header cut short", [0x10, 0x00, 0x00] },
        { "a whole frame header and nothing after it", [0x10, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0xCC, 0xDD] },
        { "a length reaching past the end", [0x40, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06] },
        { "a payload whose checksum fails at the very end", [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01] },
    };

    [Theory]
    [MemberData(nameof(TornTails))]
    public void ATornLastRecord_OfEveryShape_IsCutOffExactlyWhereItBegins(string shape, byte[] tail)
    {
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> before;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, Options(), _time);
            OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
            before = m.GetSlots();
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        long intact = new FileInfo(segment).Length;
        using (FileStream file = new(segment, FileMode.Append))
        {
            file.Write(tail);
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        StoreRecovery recovery = reopened.Recover();

        Assert.True(recovery.TornTail is { } torn && torn.Offset == intact && torn.BytesCut == tail.Length, $"{shape}: {recovery.TornTail}");
        Assert.Equal(intact, new FileInfo(segment).Length);
        Assert.Equal(before.Count, RecoveredState.Replay(recovery)!.Slots.Count);
    }

    [Fact]
    public void DamageBeforeTheLastRecord_IsCorruption_NotATornTail()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, Options(), _time);
            m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
            m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m));
        }

        string segment = dir.Files("journal-*.gpj")[^1];
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[RecordFile.HeaderSize + RecordFile.FrameSize + 2] ^= 0xFF; // inside the first record's payload
        File.WriteAllBytes(segment, bytes);

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        var error = Assert.Throws<StoreCorruptedException>(() => reopened.Recover());
        Assert.Contains(Path.GetFileName(segment), error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {RecordFile.HeaderSize}", error.Message, StringComparison.Ordinal);
    }
}
