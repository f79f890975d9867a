using System.Diagnostics.CodeAnalysis;
using GridPositions.Slots;

namespace GridPositions.Routing;

/// <summary>
/// The two derived indexes, <c>orderId -> slot</c> and <c>clientOrderId -> slot</c>, plus a bounded memory of
/// finished orders' ids so their late updates reach their slot (as duplicates) instead of waiting to expire.
/// </summary>
/// <remarks>
/// Written only under the slot book's lock (level 1), and every member except <see cref="TryRouteLive"/> must be called
/// with it held. The two live indexes can be read without the lock (<see cref="ReadMostlyIndex"/>), which is what
/// <see cref="TryRouteLive"/> does: what it returns may trail a slot by one phase, which phase 2's re-validation absorbs,
/// and a miss sends the caller to <see cref="TryRoute"/> under the lock.
/// </remarks>
internal sealed class OrderIndex
{
    private readonly ReadMostlyIndex _byOrderId = new();
    private readonly ReadMostlyIndex _byClientId = new();
    private readonly RetiredIds _retiredOrderIds;
    private readonly RetiredIds _retiredClientIds;

    public OrderIndex(int retiredCapacity)
    {
        _retiredOrderIds = new RetiredIds(retiredCapacity);
        _retiredClientIds = new RetiredIds(retiredCapacity);
    }

    public ReadMostlyIndex ByOrderId => _byOrderId;

    public ReadMostlyIndex ByClientId => _byClientId;

    /// <summary>
    /// The lock-free fast path: the live order with this exchange id, or, for an update without one, the live order
    /// with this client id. Anything else (an id not live yet, a finished order) takes <see cref="TryRoute"/> under the lock.
    /// </summary>
    public bool TryRouteLive(string? orderId, string? clientOrderId, [NotNullWhen(true)] out Slot? slot)
    {
        if (orderId is not null)
        {
            return _byOrderId.TryGetWithoutLock(orderId, out slot);
        }

        slot = null;
        // Stryker disable once Equality : a lock-free miss only sends the caller to the locked path, which routes the same way
        return clientOrderId is not null && _byClientId.TryGetWithoutLock(clientOrderId, out slot);
    }

    /// <summary>
    /// Routes by order id first (live, then finished orders), then by client order id (live, then finished). An
    /// exchange id names one order for good, so an update carrying a finished order's id goes to that order's slot
    /// even if its client id were reused.
    /// </summary>
    public bool TryRoute(string? orderId, string? clientOrderId, [NotNullWhen(true)] out Slot? slot)
    {
        if (orderId is not null && (_byOrderId.TryGetValue(orderId, out slot) || _retiredOrderIds.TryGet(orderId, out slot)))
        {
            return true;
        }

        if (clientOrderId is not null && _byClientId.TryGetValue(clientOrderId, out slot))
        {
            return true;
        }

        slot = null;
        return clientOrderId is not null && _retiredClientIds.TryGet(clientOrderId, out slot);
    }

    /// <summary>Whether a client order id is in use by a live order or was used by a recently finished one.</summary>
    public bool IsClientIdKnown(string clientOrderId) =>
        _byClientId.ContainsKey(clientOrderId) || _retiredClientIds.Contains(clientOrderId);

    /// <summary>Indexes a new claim's client order id.</summary>
    public void AddClientId(string clientOrderId, Slot slot) => _byClientId.TryAdd(clientOrderId, slot);

    /// <summary>
    /// Brings the entries for one order's ids in line with what its slot holds now. <paramref name="currentClientId"/>
    /// and <paramref name="currentOrderId"/> are the slot's current order ids, read under its lock; an id the slot no
    /// longer holds is removed (if it still points at this slot) and remembered as retired.
    /// </summary>
    public void Sync(Slot slot, string? clientOrderId, string? orderId, string? currentClientId, string? currentOrderId)
    {
        if (clientOrderId is not null)
        {
            SyncOne(_byClientId, _retiredClientIds, slot, clientOrderId, clientOrderId == currentClientId);
        }

        if (orderId is not null)
        {
            SyncOne(_byOrderId, _retiredOrderIds, slot, orderId, orderId == currentOrderId);
        }
    }

    private static void SyncOne(ReadMostlyIndex index, RetiredIds retired, Slot slot, string id, bool slotHoldsId)
    {
        if (slotHoldsId)
        {
            index.TryAdd(id, slot);
            return;
        }

        index.TryRemove(id, slot); // only if it still points at this slot
        retired.Add(id, slot);
    }

    /// <summary>Finished orders' ids, oldest first (for snapshots).</summary>
    public IEnumerable<(string Id, bool IsOrderId, Slot Slot)> Retired =>
        _retiredOrderIds.Entries.Select(e => (e.Id, true, e.Slot)).Concat(_retiredClientIds.Entries.Select(e => (e.Id, false, e.Slot)));

    /// <summary>Remembers a finished order's id (restore).</summary>
    public void Retire(string id, bool isOrderId, Slot slot) => (isOrderId ? _retiredOrderIds : _retiredClientIds).Add(id, slot);

    /// <summary>A FIFO-bounded map of finished orders' ids to the slot that owned them.</summary>
    private sealed class RetiredIds(int capacity)
    {
        private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public bool TryGet(string id, [NotNullWhen(true)] out Slot? slot) => _slots.TryGetValue(id, out slot);

        public bool Contains(string id) => _slots.ContainsKey(id);

        public IEnumerable<(string Id, Slot Slot)> Entries => _order.Select(id => (id, _slots[id]));

        public void Add(string id, Slot slot)
        {
            if (capacity == 0 || !_slots.TryAdd(id, slot))
            {
                return;
            }

            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _slots.Remove(_order.Dequeue());
            }
        }
    }
}
