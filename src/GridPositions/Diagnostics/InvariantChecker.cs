using GridPositions.Book;
using GridPositions.Fills;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Diagnostics;

/// <summary>The full invariant check (<see cref="SuperPositionManager.CheckInvariants"/>): every slot under its lock, then the indexes and the parked accounting.</summary>
internal sealed class InvariantChecker(ManagerContext context, SlotBook book)
{
    /// <summary>
    /// Verifies the invariants listed below and names the first one broken. Safe to call at any time; it holds the
    /// manager's lock and each slot's lock in turn.
    /// </summary>
    /// <remarks>
    /// Checked: each slot's order and position are self-consistent (inventory never negative and equal to opened minus
    /// closed plus adjusted minus sign x base-asset fees; realised profit equal to its closing fills' sum; cumulative fill within the order; an opening order's
    /// fill equal to the inventory; a closing order never larger than the inventory); no order or client id belongs to
    /// two slots; parked
    /// updates are within bounds and each one parked is still parked, re-driven or expired. Unless some input is between
    /// a phase 2 that changed a slot's ids and its phase 3, the indexes must also match the slots exactly.
    /// </remarks>
    public InvariantCheckResult Check()
    {
        using (book.Enter())
        {
            int windowsBefore = book.IndexWindows;
            var clientOwners = new Dictionary<string, Slot>(StringComparer.Ordinal);
            var orderOwners = new Dictionary<string, Slot>(StringComparer.Ordinal);
            foreach (Slot slot in book.Slots.OrderBy(s => s.Key))
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

            // A window opened during the pass cannot close before we release level 1 (its phase 3 needs it; only a call
            // that throws between its phases closes one without, in its Operation's Dispose), so none at
            // either end means the index could not trail any slot we read: it must match them exactly.
            bool atRest = windowsBefore == 0 && book.IndexWindows == 0;
            if (atRest)
            {
                if (book.CheckIndex_NeedsLock(clientOwners, orderOwners) is { } indexViolation)
                {
                    return new InvariantCheckResult(indexViolation);
                }
            }

            return new InvariantCheckResult(CheckParked_NeedsBookLock());
        }
    }

    private string? CheckSlot_NeedsSlotLock(Slot slot)
    {
        slot.AssertLocked();
        ref readonly PositionBook p = ref slot.Position;
        if (p.Inventory < 0)
        {
            return $"inventory {p.Inventory} is negative";
        }

        // Base-asset fees are paid in quantity: each lowered the base balance, of which the inventory is sign x.
        if (p.Inventory != p.OpenedQuantity - p.ClosedQuantity + p.AdjustedQuantity - (context.Sign * p.BaseFees))
        {
            return $"inventory {p.Inventory} is not opened {p.OpenedQuantity} minus closed {p.ClosedQuantity} plus adjusted {p.AdjustedQuantity} minus {(context.Sign > 0 ? "" : "-1 x ")}base fees {p.BaseFees}";
        }

        if (p.BaseFees < 0)
        {
            return $"base fees {p.BaseFees} are negative";
        }

        decimal expectedPnl = (context.Sign * (p.ClosedExitNotional - p.ClosedEntryNotional)) - p.ClosedFees;
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
        slot.AssertLocked();
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

        if (o.Role != context.RoleOf(o.Side))
        {
            return $"order {o.ClientOrderId} is {o.Side} but recorded as {o.Role}";
        }

        if ((slot.Status == SlotStatus.PendingCancel) != (o.CancelToken != 0))
        {
            return $"status {slot.Status} with cancel token {o.CancelToken}";
        }

        // Every order belongs to the manager's futures position (a snapshot from before intents were recorded says nothing).
        if (o.PositionSide != PositionSide.Unspecified && o.PositionSide != context.PositionSide)
        {
            return $"order {o.ClientOrderId} was sent for the {o.PositionSide} position, but this manager's orders are for {context.PositionSide} (PositionManagerOptions.HedgeMode)";
        }

        // An order paying in the base or another asset needs the options that tell assets apart, or its next fill is refused.
        if (o.FeeKind is FeeAssetKind.Base or FeeAssetKind.Other && !context.FeeAssets.PaysInQuantity)
        {
            return $"order {o.ClientOrderId} pays its fees in {new FeeCharge(o.FeeKind, o.FeeAsset)}, but the options set no BaseAsset and QuoteAsset";
        }

        if ((o.FeeKind == FeeAssetKind.Other) != (o.FeeAsset is not null))
        {
            return $"order {o.ClientOrderId} pays its fees in {o.FeeKind} named '{o.FeeAsset}'";
        }

        // Fees are booked from one source, the one the order was claimed under: another would count them twice or never.
        if (o.FeesPerTrade != context.FeesPerTrade)
        {
            return $"order {o.ClientOrderId} books its fees from {(o.FeesPerTrade ? "trades" : "cumulative reports")}, but these options book them from {(context.FeesPerTrade ? "trades" : "cumulative reports")} (PositionManagerOptions.FeesPerTrade); finish its orders before changing it";
        }

        // Reports' base fees are their cumulative fee; trades' are summed as booked, and reports then book no fee.
        decimal reportedBaseFees = o.FeeKind == FeeAssetKind.Base ? o.FilledFee : 0m;
        if (o.FeesPerTrade ? o.FilledFee != 0 : o.BaseFees != reportedBaseFees)
        {
            return $"order {o.ClientOrderId} books fees from {(o.FeesPerTrade ? "trades" : "reports")} but has cumulative fees {o.FilledFee} in {o.FeeKind} and base fees {o.BaseFees}";
        }

        // An opening order is only placed on a flat slot, so the slot holds exactly what it filled, less sign x its base fees.
        decimal orderBaseFees = o.BaseFees;
        if (o.Role == OrderRole.Open && slot.Position.Inventory != o.FilledQuantity - (context.Sign * orderBaseFees))
        {
            return $"opening order {o.ClientOrderId} filled {o.FilledQuantity} with base fees {orderBaseFees} but the slot holds {slot.Position.Inventory}";
        }

        // A closing order can never sell more than the slot held when it was claimed: what is left of it fits in the
        // inventory, plus on a long grid the base fees its sells already took from it.
        decimal paidFromInventory = context.Sign > 0 ? orderBaseFees : 0m;
        if (o.Role == OrderRole.Close && o.Quantity - o.FilledQuantity > slot.Position.Inventory + paidFromInventory)
        {
            return $"closing order {o.ClientOrderId} has {o.Quantity - o.FilledQuantity} left but the slot holds {slot.Position.Inventory}{(paidFromInventory == 0 ? "" : $" after base fees of {paidFromInventory}")}";
        }

        // The fill booked is the larger of what the reports and the trades say.
        if (o.TradeQuantity > o.FilledQuantity || o.ReportedQuantity > o.FilledQuantity)
        {
            return $"order {o.ClientOrderId} booked {o.FilledQuantity}, less than its reports ({o.ReportedQuantity}) or trades ({o.TradeQuantity}) say";
        }

        return null;
    }

    private string? CheckParked_NeedsBookLock()
    {
        book.AssertLocked();
        if (book.ParkedCount_NeedsLock() > book.ParkedCapacity)
        {
            return $"{book.ParkedCount_NeedsLock()} parked updates exceed the capacity {book.ParkedCapacity}";
        }

        long parked = context.Counters.Read(Counter.UpdatesParked);
        long left = context.Counters.Read(Counter.UpdatesRedriven) + context.Counters.Read(Counter.UpdatesExpired) + book.ParkedCount_NeedsLock();
        return parked == left ? null : $"{parked} updates were parked but {left} are re-driven, expired or still parked";
    }
}
