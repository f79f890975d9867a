using GridPositions.Diagnostics;
using GridPositions.Fills;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Verifies the invariants listed below and names the first one broken. Safe to call at any time; it holds the
    /// manager's lock and each slot's lock in turn.
    /// </summary>
    /// <remarks>
    /// Checked: each slot's order and position are self-consistent (inventory never negative and equal to opened minus
    /// closed; realised profit equal to its closing fills' sum; cumulative fill within the order; an opening order's
    /// fill equal to the inventory; a closing order never larger than the inventory); no order or client id belongs to
    /// two slots; parked
    /// updates are within bounds and each one parked is still parked, re-driven or expired. Unless some input is between
    /// a phase 2 that changed a slot's ids and its phase 3, the indexes must also match the slots exactly.
    /// </remarks>
    public InvariantCheckResult CheckInvariants()
    {
        lock (_sync)
        {
            int windowsBefore = Volatile.Read(ref _indexWindows);
            var clientOwners = new Dictionary<string, Slot>(StringComparer.Ordinal);
            var orderOwners = new Dictionary<string, Slot>(StringComparer.Ordinal);
            foreach (Slot slot in _slots.Values.OrderBy(s => s.Key))
            {
                using (slot.Enter())
                {
                    if (CheckSlot_NeedsSlotLock(slot) is { } slotViolation)
                    {
                        return new InvariantCheckResult($"slot {slot.Price}: {slotViolation}");
                    }

                    if (slot.Status == SlotStatus.Free)
                    {
                        continue;
                    }

                    if (!clientOwners.TryAdd(slot.Order.ClientOrderId, slot))
                    {
                        return new InvariantCheckResult($"client order id {slot.Order.ClientOrderId} belongs to slots {clientOwners[slot.Order.ClientOrderId].Price} and {slot.Price}");
                    }

                    if (slot.Order.OrderId is { } orderId && !orderOwners.TryAdd(orderId, slot))
                    {
                        return new InvariantCheckResult($"order id {orderId} belongs to slots {orderOwners[orderId].Price} and {slot.Price}");
                    }
                }
            }

            // A window opened during the pass cannot close before we release _sync (its phase 3 needs it), so none at
            // either end means the index could not trail any slot we read: it must match them exactly.
            bool atRest = windowsBefore == 0 && Volatile.Read(ref _indexWindows) == 0;
            if (atRest)
            {
                if (CheckIndex("client order id", _index.ByClientId, clientOwners) is { } clientViolation)
                {
                    return new InvariantCheckResult(clientViolation);
                }

                if (CheckIndex("order id", _index.ByOrderId, orderOwners) is { } orderViolation)
                {
                    return new InvariantCheckResult(orderViolation);
                }
            }

            return new InvariantCheckResult(CheckParked_NeedsGlobalLock());
        }
    }

    /// <summary>Index entries and slot ownership must be the same set of pairs.</summary>
    private static string? CheckIndex(string kind, Routing.ReadMostlyIndex index, Dictionary<string, Slot> owners)
    {
        foreach ((string id, Slot owner) in owners)
        {
            if (!index.TryGetValue(id, out Slot? indexed))
            {
                return $"{kind} {id} of slot {owner.Price} is not indexed";
            }

            if (!ReferenceEquals(indexed, owner))
            {
                return $"{kind} {id} of slot {owner.Price} is indexed to slot {indexed.Price}";
            }
        }

        foreach ((string id, Slot indexed) in index)
        {
            if (!owners.ContainsKey(id))
            {
                return $"{kind} {id} is indexed to slot {indexed.Price}, whose current order does not have it";
            }
        }

        return null;
    }

    private string? CheckSlot_NeedsSlotLock(Slot slot)
    {
        AssertSlotLock(slot);
        ref readonly PositionBook p = ref slot.Position;
        if (p.Inventory < 0)
        {
            return $"inventory {p.Inventory} is negative";
        }

        if (p.Inventory != p.OpenedQuantity - p.ClosedQuantity + p.AdjustedQuantity)
        {
            return $"inventory {p.Inventory} is not opened {p.OpenedQuantity} minus closed {p.ClosedQuantity} plus adjusted {p.AdjustedQuantity}";
        }

        decimal expectedPnl = (_sign * (p.ClosedExitNotional - p.ClosedEntryNotional)) - p.ClosedFees;
        if (p.RealizedPnl != expectedPnl)
        {
            return $"realised PnL {p.RealizedPnl} is not the closing fills' {expectedPnl}";
        }

        if (p.IsFlat && (p.EntryNotional != 0 || p.EntryFees != 0))
        {
            return $"flat but still carries entry notional {p.EntryNotional} and fees {p.EntryFees}";
        }

        if (slot.Status == SlotStatus.Free)
        {
            return slot.Order.ClaimToken == 0 && slot.Order.ClientOrderId is null ? null : "free but still holds an order";
        }

        return CheckOrder_NeedsSlotLock(slot);
    }

    private string? CheckOrder_NeedsSlotLock(Slot slot)
    {
        AssertSlotLock(slot);
        ref readonly OrderState o = ref slot.Order;
        if (slot.Status is not (SlotStatus.PendingPlace or SlotStatus.Live or SlotStatus.PendingCancel or SlotStatus.Unknown))
        {
            return $"unknown status {slot.Status}";
        }

        if (o.ClaimToken <= 0 || string.IsNullOrEmpty(o.ClientOrderId))
        {
            return $"order without claim token or client id ({o.ClaimToken}, '{o.ClientOrderId}')";
        }

        if (o.FilledQuantity < 0 || o.FilledQuantity > o.Quantity)
        {
            return $"order {o.ClientOrderId} filled {o.FilledQuantity} of {o.Quantity}";
        }

        if (o.Role != RoleOf(o.Side))
        {
            return $"order {o.ClientOrderId} is {o.Side} but recorded as {o.Role}";
        }

        if ((slot.Status == SlotStatus.PendingCancel) != (o.CancelToken != 0))
        {
            return $"status {slot.Status} with cancel token {o.CancelToken}";
        }

        // An opening order is only placed on a flat slot, so the slot holds exactly what it filled.
        if (o.Role == OrderRole.Open && slot.Position.Inventory != o.FilledQuantity)
        {
            return $"opening order {o.ClientOrderId} filled {o.FilledQuantity} but the slot holds {slot.Position.Inventory}";
        }

        // A closing order can never sell more than the slot holds.
        if (o.Role == OrderRole.Close && o.Quantity - o.FilledQuantity > slot.Position.Inventory)
        {
            return $"closing order {o.ClientOrderId} has {o.Quantity - o.FilledQuantity} left but the slot holds {slot.Position.Inventory}";
        }

        return null;
    }

    private string? CheckParked_NeedsGlobalLock()
    {
        AssertGlobalLock();
        if (_parked.Count > _parked.Capacity)
        {
            return $"{_parked.Count} parked updates exceed the capacity {_parked.Capacity}";
        }

        long parked = _counters.Read(Counter.UpdatesParked);
        long left = _counters.Read(Counter.UpdatesRedriven) + _counters.Read(Counter.UpdatesExpired) + _parked.Count;
        return parked == left ? null : $"{parked} updates were parked but {left} are re-driven, expired or still parked";
    }
}
