namespace GridPositions.Benchmarks;

/// <summary>
/// The floor every group is measured against: what the hardware allows for the manager's shape of work — take a
/// global lock, look a slot up in a dictionary, take the slot's lock, write a field.
/// </summary>
public sealed class Floor
{
    private readonly object _global = new();
    private readonly Dictionary<long, FloorSlot> _slots = [];

    public Floor(int levels)
    {
        for (long key = 0; key < levels; key++)
        {
            _slots[key] = new FloorSlot();
        }
    }

    public void Touch(long key)
    {
        FloorSlot? slot;
        lock (_global)
        {
            _slots.TryGetValue(key, out slot);
        }

        lock (slot!.Sync)
        {
            slot.Value++;
        }
    }

    private sealed class FloorSlot
    {
        public readonly object Sync = new();
        public long Value;
    }
}
