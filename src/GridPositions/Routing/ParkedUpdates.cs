namespace GridPositions.Routing;

/// <summary>
/// Updates that matched no known order yet, oldest first, bounded by count and by age. An update leaves only by being
/// taken for re-drive (its order's mapping appeared) or by expiring; both are counted by the caller.
/// </summary>
/// <remarks>Guarded by the slot book's lock (level 1); every member must be called with it held.</remarks>
internal sealed class ParkedUpdates(int capacity, TimeSpan timeToLive)
{
    private readonly LinkedList<ParkedEntry> _entries = new();
    private int _published;

    public int Count => _entries.Count;

    /// <summary>The count as of the last change, readable without the lock (to skip reading the clock when nothing is parked).</summary>
    public int CountWithoutLock => Volatile.Read(ref _published);

    public int Capacity => capacity;

    public IEnumerable<ParkedEntry> Entries => _entries;

    /// <summary>Parks <paramref name="update"/>; if the buffer was full, the oldest entry is evicted into <paramref name="expired"/>.</summary>
    public void Park(in OrderUpdate update, DateTimeOffset now, ref List<ParkedEntry>? expired)
    {
        if (_entries.Count >= capacity)
        {
            // Stryker disable once Assignment : a full buffer had nothing to expire in this pass (expiring makes room), so the list is still empty here
            (expired ??= []).Add(_entries.First!.Value);
            _entries.RemoveFirst();
        }

        _entries.AddLast(new ParkedEntry(update, now));
        Publish();
    }

    /// <summary>Re-adds an entry restored from a snapshot, keeping its original time.</summary>
    public void Restore(ParkedEntry entry)
    {
        _entries.AddLast(entry);
        // Stryker disable once Statement : the restore's re-drive pass (TakeWhere) publishes again after the last entry; RoutingRulesTests fails if neither does
        Publish();
    }

    /// <summary>Moves every entry older than the time to live into <paramref name="expired"/>.</summary>
    public void TakeExpired(DateTimeOffset now, ref List<ParkedEntry>? expired)
    {
        while (_entries.First is { } first && now - first.Value.ParkedAt >= timeToLive)
        {
            (expired ??= []).Add(first.Value);
            _entries.RemoveFirst();
        }

        Publish();
    }

    /// <summary>Moves every entry that names <paramref name="clientOrderId"/> or <paramref name="orderId"/> into <paramref name="taken"/>, in arrival order.</summary>
    public void TakeMatching(string? clientOrderId, string? orderId, ref List<OrderUpdate>? taken) =>
        TakeWhere(u => (orderId is not null && u.OrderId == orderId) || (clientOrderId is not null && u.ClientOrderId == clientOrderId), ref taken);

    /// <summary>Moves every entry that satisfies <paramref name="take"/> into <paramref name="taken"/>, in arrival order.</summary>
    public void TakeWhere(Func<OrderUpdate, bool> take, ref List<OrderUpdate>? taken)
    {
        var node = _entries.First;
        while (node is not null)
        {
            var next = node.Next;
            OrderUpdate update = node.Value.Update;
            if (take(update))
            {
                (taken ??= []).Add(update);
                _entries.Remove(node);
            }

            node = next;
        }

        Publish();
    }

    private void Publish() => Volatile.Write(ref _published, _entries.Count);
}

/// <summary>An update waiting for its order's mapping, and when it started waiting.</summary>
internal readonly record struct ParkedEntry(OrderUpdate Update, DateTimeOffset ParkedAt);
