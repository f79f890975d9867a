using GridPositions.Leases;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Begins changing a position's stop-loss and take-profit, exclusively (a concurrent close or modify gets a
    /// <see cref="PositionConflictException"/>). Validated now and again at <see cref="CompleteModify"/>.
    /// </summary>
    /// <returns>The modify lease; dispose it if the change is abandoned.</returns>
    /// <exception cref="ArgumentException">A target is off the tick grid or on the wrong side of the entry price (long: stop-loss below, take-profit above; short: the reverse), neither is given, or the reason is blank.</exception>
    /// <exception cref="InvalidOperationException">The slot holds no position.</exception>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    public PositionLease BeginModify(ModifyRequest request)
    {
        long key = ValidateModify(request);
        DateTimeOffset now = _time.GetUtcNow();
        Exception? refused;
        PositionLease? lease = null;
        if (!_book.TryGet(key, out Slot? slot))
        {
            throw new InvalidOperationException($"Slot {request.SlotPrice} holds no position to modify.");
        }

        var op = new Operation(this);
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
                    lease = new PositionLease(this, slot.Price, LeaseKind.Modify, _book.NextFencingToken(), now + Settings.LeaseTimeout);
                    slot.BeginLease_NeedsLock(new LeaseState
                    {
                        Token = lease.FencingToken,
                        Kind = LeaseKind.Modify,
                        ExpiresAt = lease.ExpiresAt,
                        StopLoss = request.StopLoss,
                        TakeProfit = request.TakeProfit,
                        Reason = request.Reason,
                    });
                    SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return lease ?? throw refused!;
    }

    /// <summary>Commits the targets of a modify lease (re-validated against the position now) and ends the lease.</summary>
    /// <returns>The recorded change, with its reason and time.</returns>
    /// <exception cref="LeaseLostException">The lease expired or ended: a late finisher may not overwrite targets another caller now owns.</exception>
    /// <exception cref="InvalidOperationException">The targets no longer fit the position's entry price (the lease is kept), or the position was closed (the lease is ended).</exception>
    public TargetChange CompleteModify(PositionLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Modify)
        {
            throw new ArgumentException($"{lease} is not a modify lease.", nameof(lease));
        }

        DateTimeOffset now = _time.GetUtcNow();
        Slot slot = LeasedSlot(lease);

        Exception? refused = null;
        TargetChange? change = null;
        var op = new Operation(this);
        try
        {
            using (slot.Enter())
            {
                LeaseState held = slot.Lease;
                if (!HoldsLease_NeedsSlotLock(slot, lease, now))
                {
                    refused = slot.LeaseLost_NeedsLock(lease.FencingToken, now);
                }
                else if (slot.Position.IsFlat)
                {
                    refused = new InvalidOperationException($"The position at {slot.Price} was closed while its targets were being modified.");
                    slot.EndLease_NeedsLock(lease.FencingToken);
                    SlotChanged_NeedsSlotLock(slot, ref op);
                }
                else if (CheckTargets_NeedsSlotLock(slot, held.StopLoss, held.TakeProfit) is { } stale)
                {
                    refused = new InvalidOperationException($"The targets no longer fit the position: {stale}"); // the lease is kept
                }
                else
                {
                    change = slot.CommitTargets_NeedsLock(held.StopLoss, held.TakeProfit, held.Reason!, now);
                    slot.EndLease_NeedsLock(lease.FencingToken);
                    EnqueueTargetsChanged_NeedsSlotLock(slot, change);
                    SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return change ?? throw refused!;
    }

    /// <summary>The accepted target changes of the position at <paramref name="slotPrice"/>, oldest first (the last 32).</summary>
    public IReadOnlyList<TargetChange> GetTargetHistory(decimal slotPrice)
    {
        long key = _grid.GetTicks(slotPrice, nameof(slotPrice));
        if (!_book.TryGet(key, out Slot? slot))
        {
            return [];
        }

        using (slot.Enter())
        {
            return slot.TargetHistory is null ? [] : [.. slot.TargetHistory];
        }
    }

    /// <summary>Changes a position's targets in one step (<see cref="BeginModify"/> then <see cref="CompleteModify"/>).</summary>
    public TargetChange ModifyTargets(ModifyRequest request)
    {
        using PositionLease lease = BeginModify(request);
        return CompleteModify(lease);
    }

    private long ValidateModify(in ModifyRequest request)
    {
        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        if (request.StopLoss is null && request.TakeProfit is null)
        {
            throw new ArgumentException("A modify needs a StopLoss, a TakeProfit, or both.", nameof(request));
        }

        foreach ((string name, decimal? target) in new[] { ("StopLoss", request.StopLoss), ("TakeProfit", request.TakeProfit) })
        {
            if (target is { } price && !_grid.TryGetTicks(price, out _))
            {
                throw new ArgumentException($"{name}: {_grid.DescribeBadPrice(price)}.", nameof(request));
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
        AssertSlotLock(slot);
        decimal entry = slot.Position.EntryNotional / slot.Position.Inventory;
        decimal? sl = stopLoss ?? slot.StopLoss, tp = takeProfit ?? slot.TakeProfit;
        bool longGrid = _sign > 0;
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
