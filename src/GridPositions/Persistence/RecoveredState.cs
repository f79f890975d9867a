using GridPositions.Wire;

namespace GridPositions.Persistence;

/// <summary>A snapshot with journal records applied over it: each slot takes a record only if the record is newer.</summary>
internal sealed class RecoveredState(PositionManagerSnapshot snapshot)
{
    // Keyed by price value: 100, 100.0 and 100.00 are one level (decimal equality and hashing are by value).
    private readonly Dictionary<decimal, InventorySlot> _slots = ByPrice(snapshot);
    private long _nextClaimToken = snapshot.NextClaimToken;
    private long _nextClientSequence = snapshot.NextClientOrderSequence;

    public void Apply(JournalRecord record)
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

    /// <summary>A slot's price; a missing or malformed one is damage (the caller names the file and offset).</summary>
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

    public PositionManagerSnapshot ToSnapshot()
    {
        PositionManagerSnapshot result = snapshot.Clone();
        result.Slots.Clear();
        result.Slots.AddRange(_slots.OrderBy(s => s.Key).Select(s => s.Value));
        result.NextClaimToken = _nextClaimToken;
        result.NextClientOrderSequence = _nextClientSequence;
        return result;
    }
}
