using GridPositions.Wire;

namespace GridPositions.Persistence;

/// <summary>A snapshot with journal records applied over it: each slot takes a record only if the record is newer.</summary>
internal sealed class RecoveredState(PositionManagerSnapshot snapshot)
{
    // Keyed by price value: 100, 100.0 and 100.00 are one level (decimal equality and hashing are by value).
    private readonly Dictionary<decimal, InventorySlot> _slots = snapshot.Slots.ToDictionary(s => s.Price.ToDecimal());
    private long _nextClaimToken = snapshot.NextClaimToken;
    private long _nextClientSequence = snapshot.NextClientOrderSequence;

    public void Apply(JournalRecord record)
    {
        InventorySlot slot = record.Slot ?? throw new InvalidDataException($"journal record {record.Sequence} has no slot");
        decimal price = slot.Price.ToDecimal();
        if (!_slots.TryGetValue(price, out InventorySlot? current) || current.Version < slot.Version)
        {
            _slots[price] = slot;
        }

        _nextClaimToken = Math.Max(_nextClaimToken, record.NextClaimToken);
        _nextClientSequence = Math.Max(_nextClientSequence, record.NextClientOrderSequence);
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
