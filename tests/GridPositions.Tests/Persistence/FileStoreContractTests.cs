using Google.Protobuf;
using GridPositions.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// <see cref="FilePositionStore"/> driven directly, as <see cref="IPositionStore"/>'s contract: argument checks, one
/// recovery per owner, what is on disk when a call returns, which files a checkpoint keeps, and every kind of damage
/// recovery must name rather than read past.
/// </summary>
public class FileStoreContractTests
{
    private static JournalRecord Record(ulong sequence, decimal price = 100m, long version = 1) =>
        new() { Sequence = sequence, Slot = new InventorySlot { Price = price.ToWire(), Version = version } };

    private static JournalEntry[] Entries(params JournalRecord[] records) => [.. records.Select(r => new JournalEntry(r.Sequence, r.ToByteArray()))];

    private static PositionManagerSnapshot SnapshotMessage(ulong journalStart, params InventorySlot[] slots)
    {
        var snapshot = new PositionManagerSnapshot { FormatVersion = SuperPositionManager.SnapshotFormatVersion, Symbol = "BTCUSDT", JournalStartSequence = journalStart };
        snapshot.Slots.AddRange(slots);
        return snapshot;
    }

    private static StoreSnapshot Snapshot(ulong journalStart, params InventorySlot[] slots) => new(journalStart, SnapshotMessage(journalStart, slots).ToByteArray());

    /// <summary>What the manager reads back from a recovery: the snapshot with the journal replayed over it.</summary>
    private static PositionManagerSnapshot? Replayed(StoreRecovery recovery) => RecoveredState.Replay(recovery);

    /// <summary>A store holding snapshot-1 and records 1-2 in journal-1 and 3 in journal-3.</summary>
    private static void Fill(StoreDirectory dir)
    {
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        Assert.Equal(1ul, store.Recover().NextSequence);
        store.StartSegment(1); // an empty store has no segment until its owner starts one
        store.Checkpoint(Snapshot(1));
        store.Append(Entries(Record(1), Record(2, 99m)));
        store.StartSegment(3);
        store.Append(Entries(Record(3, 100m, version: 2)));
    }

    private static string Journal(StoreDirectory dir, ulong first) => Path.Combine(dir.Path, $"journal-{first:D20}.gpj");

    private static string SnapshotFile(StoreDirectory dir, ulong start) => Path.Combine(dir.Path, $"snapshot-{start:D20}.gps");

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static StoreCorruptedException RecoverCorrupt(StoreDirectory dir)
    {
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        return Assert.Throws<StoreCorruptedException>(() => Replayed(store.Recover()));
    }

    private static void WriteRecords(string path, string magic, params byte[][] payloads)
    {
        var buffer = new List<byte>(RecordFile.Header(magic));
        foreach (byte[] payload in payloads)
        {
            RecordFile.Frame(payload, buffer);
        }

        File.WriteAllBytes(path, [.. buffer]);
    }

    [Fact]
    public void Open_RefusesABlankDirectoryAndAnUnknownDurability_ByName_AndCreatesNothing()
    {
        using var dir = new StoreDirectory();
        Assert.Throws<ArgumentException>("directory", () => FilePositionStore.Open(" "));
        var error = Assert.Throws<ArgumentException>("durability", () => FilePositionStore.Open(dir.Path, (Durability)42));
        Assert.Contains("Unknown durability 42", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Path));
    }

    [Fact]
    public void AfterDispose_EveryVerbThrowsObjectDisposed_AndASecondDisposeIsHarmless()
    {
        using var dir = new StoreDirectory();
        FilePositionStore store = FilePositionStore.Open(dir.Path);
        store.Recover();
        store.StartSegment(1);
        store.Dispose();
        store.Dispose();
        // Each verb says the store is disposed (not that a file is closed) before it looks at its arguments.
        string name = typeof(FilePositionStore).FullName!;
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.Recover()).ObjectName);
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.Append(Entries(Record(1)))).ObjectName);
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.Append(null!)).ObjectName);
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.StartSegment(2)).ObjectName);
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.Checkpoint(Snapshot(1))).ObjectName);
        Assert.Equal(name, Assert.Throws<ObjectDisposedException>(() => store.Checkpoint(null!)).ObjectName);
        using FilePositionStore again = FilePositionStore.Open(dir.Path); // the directory lock was released
    }

    [Fact]
    public void NullArguments_AreRefusedByName_AndAppendBeforeRecover_SaysRecoverComesFirst()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        var early = Assert.Throws<InvalidOperationException>(() => store.Append(Entries(Record(1))));
        Assert.Contains("Recover must run before the journal is appended to", early.Message, StringComparison.Ordinal);
        store.Recover();
        Assert.Throws<ArgumentNullException>("entries", () => store.Append(null!));
        Assert.Throws<ArgumentNullException>("snapshot", () => store.Checkpoint(null!));
        var twice = Assert.Throws<InvalidOperationException>(() => store.Recover());
        Assert.Contains("was already recovered; it has one owner", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recover_DeletesACheckpointThatCrashedBeforeItsRename()
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        string leftover = SnapshotFile(dir, 3) + ".tmp";
        File.WriteAllBytes(leftover, [1, 2, 3]);
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        Assert.Equal(4ul, store.Recover().NextSequence);
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void AStoreThatNeverCheckpointed_ReopensEmpty_UnlessItsJournalHoldsRecords()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            store.Recover();
            store.StartSegment(1); // journal-1, holding only its header
        }

        Assert.Equal(RecordFile.HeaderSize, new FileInfo(Journal(dir, 1)).Length);
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            StoreRecovery empty = store.Recover();
            Assert.Null(empty.Snapshot);
            Assert.Equal(1ul, empty.NextSequence);
            store.StartSegment(1);
            store.Append(Entries(Record(1)));
        }

        StoreCorruptedException error = RecoverCorrupt(dir);
        Assert.Contains("journal records exist but no snapshot does", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenAppendAndStartSegmentReturn_TheirBytesAreInTheFile()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        store.Recover();
        store.StartSegment(1);
        store.Checkpoint(Snapshot(1));
        JournalRecord record = Record(1);
        store.Append(Entries(record));
        Assert.Equal(RecordFile.HeaderSize + RecordFile.FrameSize + record.CalculateSize(), ReadShared(Journal(dir, 1)).Length);
        store.StartSegment(2);
        Assert.Equal(RecordFile.Header("GPJ1"), ReadShared(Journal(dir, 2)));
        store.StartSegment(2); // already there and empty: kept as it is
        store.Append(Entries(Record(2, 99m)));
        Assert.Equal(RecordFile.HeaderSize + RecordFile.FrameSize + Record(2, 99m).CalculateSize(), ReadShared(Journal(dir, 2)).Length);
        Assert.Equal(RecordFile.HeaderSize + RecordFile.FrameSize + record.CalculateSize(), ReadShared(Journal(dir, 1)).Length);
    }

    [Fact]
    public void Recovery_ReplaysEverySegmentAfterTheSnapshot_TheNewestVersionOfEachSlotWinning()
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        StoreRecovery recovery = store.Recover();
        Assert.Equal(4ul, recovery.NextSequence);
        Assert.Null(recovery.TornTail);
        Assert.Equal([99m, 100m], Replayed(recovery)!.Slots.Select(s => s.Price.ToDecimal())); // in price order
        Assert.Equal([1L, 2L], Replayed(recovery)!.Slots.Select(s => s.Version));
    }

    [Fact]
    public void AnOlderVersionAfterANewerOne_DoesNotReplaceIt()
    {
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            store.Recover();
            store.StartSegment(1);
            store.Checkpoint(Snapshot(1, new InventorySlot { Price = 100m.ToWire(), Version = 5 }));
            store.Append(Entries(Record(1, 100m, version: 5), Record(2, 100m, version: 4)));
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Equal(5L, Assert.Single(Replayed(reopened.Recover())!.Slots).Version);
    }

    [Fact]
    public void AGapBetweenSegments_OrARecordOutOfSequence_IsCorruption_NamingWhatWasExpected()
    {
        using var gap = new StoreDirectory();
        Fill(gap);
        File.Move(Journal(gap, 3), Journal(gap, 4));
        Assert.Contains("the segment starts at sequence 4, but sequence 3 was expected next", RecoverCorrupt(gap).Message, StringComparison.Ordinal);

        using var order = new StoreDirectory();
        Fill(order);
        WriteRecords(Journal(order, 3), "GPJ1", Record(5).ToByteArray());
        Assert.Contains("record sequence 5 where 3 was expected", RecoverCorrupt(order).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALastSegmentTornInsideItsHeader_IsCutToAFreshHeader_OnDiskBeforeRecoverReturns()
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        File.WriteAllBytes(Journal(dir, 3), RecordFile.Header("GPJ1")[..3]);
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            StoreRecovery recovery = store.Recover();
            Assert.Equal(new TornTail(Journal(dir, 3), 0, 3), recovery.TornTail);
            Assert.Equal(3ul, recovery.NextSequence);
            Assert.Equal(RecordFile.Header("GPJ1"), ReadShared(Journal(dir, 3)));
            store.Append(Entries(Record(3, 98m)));
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        StoreRecovery again = reopened.Recover();
        Assert.Null(again.TornTail);
        Assert.Equal(4ul, again.NextSequence);
        Assert.Contains(Replayed(again)!.Slots, s => s.Price.ToDecimal() == 98m);
    }

    [Fact]
    public void ASnapshotWithNoJournalAfterIt_GetsANewSegment_SoAppendsAfterRecoveryAreKept()
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        File.Delete(Journal(dir, 1));
        File.Delete(Journal(dir, 3));
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            Assert.Equal(1ul, store.Recover().NextSequence);
            store.Append(Entries(Record(1, 97m)));
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        Assert.Equal(97m, Assert.Single(Replayed(reopened.Recover())!.Slots).Price.ToDecimal());
    }

    [Fact]
    public void ACheckpoint_KeepsTheTwoNewestSnapshots_AndTheJournalFromTheOlderOfThemOn()
    {
        using var dir = new StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path);
        store.Recover();
        store.StartSegment(1);
        store.Append(Entries(Record(1), Record(2)));
        store.StartSegment(3);
        store.Checkpoint(Snapshot(3)); // one snapshot: nothing is deleted
        Assert.Equal([Journal(dir, 1), Journal(dir, 3)], dir.Files("journal-*"));
        store.Append(Entries(Record(3), Record(4)));
        store.StartSegment(5);
        store.Checkpoint(Snapshot(5)); // two: the journal before the older one goes
        Assert.Equal([Journal(dir, 3), Journal(dir, 5)], dir.Files("journal-*"));
        Assert.Equal([SnapshotFile(dir, 3), SnapshotFile(dir, 5)], dir.Files("snapshot-*"));
        store.Append(Entries(Record(5)));
        store.StartSegment(6);
        store.Checkpoint(Snapshot(6));
        Assert.Equal([Journal(dir, 5), Journal(dir, 6)], dir.Files("journal-*"));
        Assert.Equal([SnapshotFile(dir, 5), SnapshotFile(dir, 6)], dir.Files("snapshot-*"));
    }

    public static TheoryData<string, Action<string>, string> DamagedSnapshots => new()
    {
        { "shorter than its header", path => File.WriteAllBytes(path, [(byte)'G', (byte)'P']), "the header is incomplete" },
        { "another file's magic", path => WriteRecords(path, "GPJ1", SnapshotMessage(1).ToByteArray()), "it is not a GPS1 file" },
        { "two records", path => WriteRecords(path, "GPS1", SnapshotMessage(1).ToByteArray(), SnapshotMessage(1).ToByteArray()), "a snapshot file holds one record, this one 2" },
        { "a newer format", path => WriteRecords(path, "GPS1", new PositionManagerSnapshot { FormatVersion = 99 }.ToByteArray()), "snapshot format version 99 is not supported" },
        { "a payload that does not parse", path => WriteRecords(path, "GPS1", [0xFF, 0xFF, 0xFF]), "the record does not parse" },
        { "two slots at one level", path => WriteRecords(path, "GPS1", SnapshotMessage(1, Record(1).Slot, Record(1, 100.0m).Slot).ToByteArray()), "snapshot slot 1 repeats the level of an earlier slot" },
        { "a slot with no price", path => WriteRecords(path, "GPS1", SnapshotMessage(1, new InventorySlot { Version = 1 }).ToByteArray()), "snapshot slot 0 has no price" },
        { "a price beyond decimal's scale", path => WriteRecords(path, "GPS1", SnapshotMessage(1, new InventorySlot { Price = new DecimalValue { Low64 = 1, Scale = 29 } }).ToByteArray()), "snapshot slot 0: DecimalValue scale 29 is above the maximum of 28" },
    };

    [Theory]
    [MemberData(nameof(DamagedSnapshots))]
    public void ADamagedSnapshot_IsCorruption_SayingWhatIsWrong(string damage, Action<string> write, string expected)
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        write(SnapshotFile(dir, 1));
        StoreCorruptedException error = RecoverCorrupt(dir);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{damage}: {error.Message}");
        Assert.Contains(SnapshotFile(dir, 1), error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> DamagedJournalRecords => new()
    {
        { "a record with no slot", new JournalRecord { Sequence = 1 }.ToByteArray(), "journal record 1 has no slot" },
        { "a slot with no price", new JournalRecord { Sequence = 1, Slot = new InventorySlot { Version = 1 } }.ToByteArray(), "journal record 1 has no price" },
    };

    [Theory]
    [MemberData(nameof(DamagedJournalRecords))]
    public void ADamagedJournalRecord_IsCorruption_NamingTheRecord(string damage, byte[] payload, string expected)
    {
        using var dir = new StoreDirectory();
        Fill(dir);
        WriteRecords(Journal(dir, 1), "GPJ1", payload, Record(2).ToByteArray());
        StoreCorruptedException error = RecoverCorrupt(dir);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{damage}: {error.Message}");
    }

    [Fact]
    public void DamageInAnEarlierSegment_IsCorruption_NotATornTail_WithTheDamageNamed()
    {
        using var frame = new StoreDirectory();
        Fill(frame);
        File.AppendAllBytes(Journal(frame, 1), [1, 2, 3, 4]);
        Assert.Contains("the record frame is incomplete", RecoverCorrupt(frame).Message, StringComparison.Ordinal);

        using var length = new StoreDirectory();
        Fill(length);
        File.AppendAllBytes(Journal(length, 1), [0xFF, 0, 0, 0, 0, 0, 0, 0, 1]);
        Assert.Contains("the record claims 255 bytes, more than the file holds", RecoverCorrupt(length).Message, StringComparison.Ordinal);
    }
}
