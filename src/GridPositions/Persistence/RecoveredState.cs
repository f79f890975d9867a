using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Persistence;

/// <summary>
/// What a store recovered, read back into a manager's state: the snapshot's bytes parsed, and each journal entry
/// applied over it where its slot is newer. Damage names the source and offset the store gave.
/// </summary>
internal sealed class RecoveredState
{
    // Keyed by price value: 100, 100.0 and 100.00 are one level (decimal equality and hashing are by value).
    private readonly Dictionary<decimal, InventorySlot> _slots;
    private readonly PositionManagerSnapshot _snapshot;
    private long _nextClaimToken;
    private long _nextClientSequence;

    private RecoveredState(PositionManagerSnapshot snapshot)
    {
        _snapshot = snapshot;
        _slots = ByPrice(snapshot);
        _nextClaimToken = snapshot.NextClaimToken;
        _nextClientSequence = snapshot.NextClientOrderSequence;
    }

    /// <summary>The state <paramref name="recovery"/> holds, or null for an empty store.</summary>
    /// <exception cref="StoreCorruptedException">The snapshot or a journal entry does not parse, has an unsupported format, or does not fit.</exception>
    public static PositionManagerSnapshot? Replay(StoreRecovery recovery)
    {
        // What a custom store returns is input like any other: the journal's sequences start at 1, and a list is required.
        IReadOnlyList<JournalEntry> journal = recovery.Journal ?? throw Corrupt(null, 0, "the recovery has no journal list (Journal is null)");
        if (recovery.NextSequence == 0)
        {
            throw Corrupt(recovery.Snapshot?.Source, recovery.Snapshot?.Offset ?? 0, "the store's next sequence is 0, but journal sequences start at 1");
        }

        if (recovery.Snapshot is not { } stored)
        {
            return journal.Count == 0
                ? null
                : throw Corrupt(journal[0].Source, journal[0].Offset, "journal entries exist but no snapshot does");
        }

        PositionManagerSnapshot snapshot = Parse(PositionManagerSnapshot.Parser, stored.Payload, stored.Source, stored.Offset);
        if (snapshot.FormatVersion != SuperPositionManager.SnapshotFormatVersion)
        {
            throw Corrupt(stored.Source, stored.Offset, $"snapshot format version {snapshot.FormatVersion} is not supported (this version reads {SuperPositionManager.SnapshotFormatVersion})");
        }

        RecoveredState state;
        try
        {
            state = new RecoveredState(snapshot);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(stored.Source, stored.Offset, e.Message);
        }

        ulong expected = stored.JournalStartSequence;
        foreach (JournalEntry entry in journal)
        {
            JournalRecord record = Parse(JournalRecord.Parser, entry.Payload, entry.Source, entry.Offset);
            if (entry.Sequence != expected)
            {
                throw Corrupt(entry.Source, entry.Offset, $"entry sequence {entry.Sequence} where {expected} was expected");
            }

            if (record.Sequence != expected)
            {
                throw Corrupt(entry.Source, entry.Offset, $"record sequence {record.Sequence} where {expected} was expected");
            }

            try
            {
                state.Apply(record);
            }
            catch (InvalidDataException e)
            {
                throw Corrupt(entry.Source, entry.Offset, e.Message);
            }

            expected++;
        }

        if (recovery.NextSequence != expected)
        {
            throw Corrupt(stored.Source, stored.Offset, $"the store's next sequence is {recovery.NextSequence}, but its journal continues at {expected}");
        }

        return state.ToSnapshot();
    }

    private void Apply(JournalRecord record)
    {
        InventorySlot slot = record.Slot ?? throw new InvalidDataException($"journal record {record.Sequence} has no slot");
        decimal price = PriceOf(slot, $"journal record {record.Sequence}");
        if (!_slots.TryGetValue(price, out InventorySlot? current) || current.Version < slot.Version)
        {
            _slots[price] = slot;
        }

        _nextClaimToken = Math.Max(_nextClaimToken, record.NextClaimToken);
        _nextClientSequence = Math.Max(_nextClientSequence, record.NextClientOrderSequence);
    }

    private PositionManagerSnapshot ToSnapshot()
    {
        PositionManagerSnapshot result = _snapshot.Clone();
        result.Slots.Clear();
        result.Slots.AddRange(_slots.OrderBy(s => s.Key).Select(s => s.Value));
        result.NextClaimToken = _nextClaimToken;
        result.NextClientOrderSequence = _nextClientSequence;
        return result;
    }

    private static Dictionary<decimal, InventorySlot> ByPrice(PositionManagerSnapshot snapshot)
    {
        var slots = new Dictionary<decimal, InventorySlot>();
        for (int i = 0; i < snapshot.Slots.Count; i++)
        {
            if (!slots.TryAdd(PriceOf(snapshot.Slots[i], $"snapshot slot {i}"), snapshot.Slots[i]))
            {
                throw new InvalidDataException($"snapshot slot {i} repeats the level of an earlier slot");
            }
        }

        return slots;
    }

    /// <summary>A slot's price; a missing or malformed one is damage (the caller names the source and offset).</summary>
    private static decimal PriceOf(InventorySlot? slot, string what)
    {
        try
        {
            return slot?.Price is { } price ? price.ToDecimal() : throw new InvalidDataException($"{what} has no price");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}", e);
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> payload, string? source, long offset)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new StoreCorruptedException($"Store file {source ?? "(unnamed)"} is corrupt at offset {offset}: the record does not parse ({e.Message}).", e);
        }
    }

    private static StoreCorruptedException Corrupt(string? source, long offset, string problem) => new(source ?? "(unnamed)", offset, problem);
}
