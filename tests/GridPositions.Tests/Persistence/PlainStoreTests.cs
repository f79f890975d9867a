namespace GridPositions.Tests.Persistence;

/// <summary>
/// A custom <see cref="IPositionStore"/> written with the public plain types only (no generated protobuf type, no
/// internal one: this file imports neither namespace), and what the manager checks in what such a store returns.
/// </summary>
public class PlainStoreTests
{
    private static readonly PositionManagerOptions s_options = new() { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, CheckpointEveryRecords = 0 };

    /// <summary>Bytes that outlive each store object: what a key-value store or a database row would hold.</summary>
    private sealed class Backing
    {
        public StoreSnapshot? Snapshot { get; set; }

        public List<JournalEntry> Journal { get; } = [];
    }

    private sealed class BytesStore(Backing backing) : IPositionStore
    {
        public Durability Durability => Durability.EveryRecord;

        /// <summary>Replaces what <see cref="Recover"/> returns, to hand the manager a damaged recovery.</summary>
        public Func<StoreRecovery, StoreRecovery> Tamper { get; init; } = r => r;

        public StoreRecovery Recover()
        {
            List<JournalEntry> after = [.. backing.Journal.Where(e => backing.Snapshot is { } s && e.Sequence >= s.JournalStartSequence)];
            ulong next = after.Count > 0 ? after[^1].Sequence + 1 : backing.Snapshot?.JournalStartSequence ?? 1;
            return Tamper(new StoreRecovery(backing.Snapshot, next) { Journal = after });
        }

        // The store copies the bytes it is given: they are its own from here on.
        public void Append(IReadOnlyList<JournalEntry> entries) =>
            backing.Journal.AddRange(entries.Select(e => e with { Payload = e.Payload.ToArray(), Source = "row " + e.Sequence }));

        public void StartSegment(ulong firstSequence)
        {
        }

        public void Checkpoint(StoreSnapshot snapshot)
        {
            backing.Snapshot = snapshot with { Payload = snapshot.Payload.ToArray(), Source = "snapshot row" };
            backing.Journal.RemoveAll(e => e.Sequence < snapshot.JournalStartSequence);
        }

        public void Dispose()
        {
        }
    }

    private static Backing ARoundTripHalfWay(out IReadOnlyList<SlotView> before)
    {
        var backing = new Backing();
        using var store = new BytesStore(backing);
        SuperPositionManager m = SuperPositionManager.Open(store, s_options);
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m, CumulativeFee = 0.2m });
        m.Checkpoint();
        OrderAction sell = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(sell, "S1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "S1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m });
        before = m.GetSlots();
        return backing;
    }

    [Fact]
    public void AManagerReopenedFromAStoreOfPlainBytes_HasTheSlotsItHadBeforeTheCrash()
    {
        Backing backing = ARoundTripHalfWay(out IReadOnlyList<SlotView> before);
        Assert.NotEmpty(backing.Journal); // the sell's claim, placement and fill are replayed over the checkpoint

        using var reopenedStore = new BytesStore(backing);
        SuperPositionManager reopened = SuperPositionManager.Open(reopenedStore, s_options);

        Assert.Equal(before, reopened.GetSlots());
        Assert.Equal(1m, reopened.GetSlot(100m)!.Inventory);
        Assert.Equal(InputDisposition.Applied, reopened.OnOrderUpdate(new OrderUpdate { OrderId = "S1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m, CumulativeFee = 0.2m }));
        Assert.Equal(0m, reopened.GetSlot(100m)!.Inventory);
        Assert.True(reopened.CheckInvariants().Holds);
    }

    [Fact]
    public void AStoreWhoseRecoverReturnsNull_IsRefusedWithASentenceSayingSo()
    {
        using var store = new BytesStore(new Backing()) { Tamper = _ => null! };
        var error = Assert.Throws<InvalidOperationException>(() => SuperPositionManager.Open(store, s_options));
        Assert.Contains("returned no recovery from Recover", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<StoreRecovery, StoreRecovery>, string, string> DamagedRecoveries => new()
    {
        { "entries out of order", r => r with { Journal = [.. r.Journal.Reverse()] }, "entry sequence", "row " },
        { "an entry renumbered", r => r with { Journal = [r.Journal[0] with { Sequence = r.Journal[0].Sequence + 7 }, .. r.Journal.Skip(1)] }, "entry sequence", "row " },
        { "a next sequence behind the journal", r => r with { NextSequence = r.NextSequence - 1 }, "but its journal continues at", "snapshot row" },
        { "a journal with no snapshot", r => r with { Snapshot = null }, "journal entries exist but no snapshot does", "row " },
        { "bytes that do not parse", r => r with { Journal = [r.Journal[0] with { Payload = new byte[] { 0xFF, 0xFF, 0xFF } }, .. r.Journal.Skip(1)] }, "the record does not parse", "row " },
        { "a snapshot that does not parse", r => r with { Snapshot = r.Snapshot! with { Payload = new byte[] { 0xFF, 0xFF, 0xFF } } }, "the record does not parse", "snapshot row" },
        { "no journal list", r => r with { Journal = null! }, "the recovery has no journal list", "(unnamed)" },
        { "an empty store whose next sequence is 0", r => new StoreRecovery(null, 0), "the store's next sequence is 0", "(unnamed)" },
    };

    [Theory]
    [MemberData(nameof(DamagedRecoveries))]
    public void ARecoveryThatDoesNotHoldTogether_IsCorruption_NamingWhereTheStoreSaidItWas(string damage, Func<StoreRecovery, StoreRecovery> tamper, string expected, string source)
    {
        Backing backing = ARoundTripHalfWay(out _);
        using var tampered = new BytesStore(backing) { Tamper = tamper };

        StoreCorruptedException error = Assert.Throws<StoreCorruptedException>(() => SuperPositionManager.Open(tampered, s_options));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{damage}: {error.Message}");
        Assert.True(error.Message.Contains(source, StringComparison.Ordinal), $"{damage}: {error.Message}");
        using var intact = new BytesStore(backing);
        Assert.True(SuperPositionManager.Open(intact, s_options).CheckInvariants().Holds); // nothing was written
    }
}
