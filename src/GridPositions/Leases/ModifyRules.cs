using GridPositions.Book;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Leases;

/// <summary>Changing a position's stop-loss and take-profit under a modify lease: validated when begun and again when completed.</summary>
internal sealed class ModifyRules(ManagerContext context, SlotBook book, OperationSinks sinks, LeaseRules leases)
{
    public PositionLease Begin(in ModifyRequest request)
    {
        long key = Validate(request);
        DateTimeOffset now = context.Now;
        Exception? refused;
        PositionLease? lease = null;
        if (!book.TryGet(key, out Slot? slot))
        {
            throw new InvalidOperationException($"Slot {request.SlotPrice} holds no position to modify.");
        }

        Operation op = sinks.Begin();
        try
        {
            using (slot.Enter())
            {
                refused = slot.LeaseConflict_NeedsLock(now);
                if (refused is null && slot.Position.IsFlat)
                {
                    refused = new InvalidOperationException($"Slot {slot.Price} holds no position to modify.");
                }
                else if (refused is null && CheckTargets_NeedsSlotLock(slot, request.StopLoss, request.TakeProfit) is { } wrong)
                {
                    refused = new ArgumentException(wrong, nameof(request));
                }

                if (refused is null)
                {
                    lease = leases.Grant_NeedsSlotLock(slot, LeaseKind.Modify, now, request);
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return lease ?? throw refused!;
    }

    public TargetChange Complete(PositionLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Modify)
        {
            throw new ArgumentException($"{lease} is not a modify lease.", nameof(lease));
        }

        DateTimeOffset now = context.Now;
        Slot slot = leases.LeasedSlot(lease);
        Exception? refused = null;
        TargetChange? change = null;
        Operation op = sinks.Begin();
        try
        {
            using (slot.Enter())
            {
                LeaseState held = slot.Lease;
                if (!LeaseRules.Holds_NeedsSlotLock(slot, lease, now))
                {
                    refused = leases.Lost_NeedsSlotLock(slot, lease, now);
                }
                else if (slot.Position.IsFlat)
                {
                    refused = new InvalidOperationException($"The position at {slot.Price} was closed while its targets were being modified.");
                    slot.EndLease_NeedsLock(lease.FencingToken);
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                }
                else if (CheckTargets_NeedsSlotLock(slot, held.StopLoss, held.TakeProfit) is { } stale)
                {
                    refused = new InvalidOperationException($"The targets no longer fit the position: {stale}"); // the lease is kept
                }
                else
                {
                    change = slot.CommitTargets_NeedsLock(held.StopLoss, held.TakeProfit, held.Reason!, now);
                    slot.EndLease_NeedsLock(lease.FencingToken);
                    sinks.TargetsChanged_NeedsSlotLock(slot, change);
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return change ?? throw refused!;
    }

    public IReadOnlyList<TargetChange> History(decimal slotPrice)
    {
        long key = context.Grid.GetTicks(slotPrice, nameof(slotPrice));
        if (!book.TryGet(key, out Slot? slot))
        {
            return [];
        }

        using (slot.Enter())
        {
            return slot.TargetHistory is null ? [] : [.. slot.TargetHistory];
        }
    }

    private long Validate(in ModifyRequest request)
    {
        PriceGrid grid = context.Grid;
        long key = grid.GetTicks(request.SlotPrice, nameof(request));
        if (request.StopLoss is null && request.TakeProfit is null)
        {
            throw new ArgumentException("A modify needs a StopLoss, a TakeProfit, or both.", nameof(request));
        }

        foreach ((string name, decimal? target) in new[] { ("StopLoss", request.StopLoss), ("TakeProfit", request.TakeProfit) })
        {
            if (target is { } price && !grid.TryGetTicks(price, out _))
            {
                throw new ArgumentException($"{name}: {grid.DescribeBadPrice(price)}.", nameof(request));
            }
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new ArgumentException("A modify needs a Reason; it is recorded with the change.", nameof(request));
        }

        return key;
    }

    /// <summary>Null when the targets (with the current ones filling in a null) fit the open position; otherwise why not.</summary>
    private string? CheckTargets_NeedsSlotLock(Slot slot, decimal? stopLoss, decimal? takeProfit)
    {
        slot.AssertLocked();
        decimal entry = slot.Position.EntryNotional / slot.Position.Inventory;
        decimal? sl = stopLoss ?? slot.StopLoss, tp = takeProfit ?? slot.TakeProfit;
        bool longGrid = context.Sign > 0;
        string side = longGrid ? "long" : "short";
        if (sl is { } s && (longGrid ? s >= entry : s <= entry))
        {
            return $"StopLoss {s} must be {(longGrid ? "below" : "above")} the entry price {entry} of the {side} position at {slot.Price}.";
        }

        if (tp is { } t && (longGrid ? t <= entry : t >= entry))
        {
            return $"TakeProfit {t} must be {(longGrid ? "above" : "below")} the entry price {entry} of the {side} position at {slot.Price}.";
        }

        return null;
    }
}
