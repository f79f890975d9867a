using GridPositions.Leases;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>Set once any lease was granted: from then on claims read the clock to tell held leases from expired ones.</summary>
    private int _leasesGranted;
    private long _nextFencingToken;

    /// <summary>
    /// Begins closing one slot's position, exclusively: concurrent closes (and modifies) of the same position get a
    /// <see cref="PositionConflictException"/> until this close completes, is released, or its lease expires
    /// (<see cref="PositionManagerOptions.LeaseTimeout"/>).
    /// </summary>
    /// <returns>
    /// Started, with the lease and, if the slot had a live order, the already claimed cancel to send first (so no
    /// order is orphaned); or already flat (no lease), a successful no-op.
    /// </returns>
    /// <remarks>
    /// While the close lease is held, strategy claims on the slot are refused (<see cref="ClaimRejection.PositionLeased"/>).
    /// Once the slot has no order in flight, claim the closing order with <see cref="ClaimCloseOrder"/>. When its fills
    /// bring the slot flat (profit realised once, as for any closing fill), the lease completes by itself.
    /// </remarks>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    /// <exception cref="ArgumentException">The slot price is off the tick grid, or the exchange quantity is negative or off the quantity step.</exception>
    public CloseStart BeginClose(CloseRequest request)
    {
        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        ValidateExchangeQuantity(request.ExchangeQuantity, nameof(request));
        DateTimeOffset now = _time.GetUtcNow();
        Volatile.Write(ref _leasesGranted, 1);
        PositionConflictException? conflict = null;
        CloseStart start;
        bool published = false;
        lock (_sync)
        {
            if (!_slots.TryGetValue(key, out Slot? slot))
            {
                return new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }

            lock (slot.Sync)
            {
                conflict = slot.LeaseConflict_NeedsLock(now);
#if FAULT_INJECTION
                if (conflict is null && Diagnostics.FaultInjection.Is(Diagnostics.Fault.UnlockedCloseCheck))
                {
                    // The injected bug: let go of both locks between the check and the act.
                    Monitor.Exit(slot.Sync);
                    Monitor.Exit(_sync);
                    Monitor.Enter(_sync);
                    Monitor.Enter(slot.Sync);
                }
#endif
                start = conflict is null
                    ? BeginClose_NeedsLocks(slot, request.ExchangeQuantity, now, ref published)
                    : new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }
        }

        AfterOperation(null, published);
        return conflict is null ? start : throw conflict;
    }

    private CloseStart BeginClose_NeedsLocks(Slot slot, decimal? exchangeQuantity, DateTimeOffset now, ref bool published)
    {
        PositionMismatch? mismatch = null;
        if (slot.Status == SlotStatus.Free && exchangeQuantity is { } onExchange)
        {
            mismatch = slot.AdjustToExchange_NeedsLock(onExchange);
        }

        if (slot.Status == SlotStatus.Free && slot.Position.IsFlat)
        {
            if (mismatch is not null)
            {
                published |= SlotChanged_NeedsSlotLock(slot);
            }

            return new CloseStart(CloseStatus.AlreadyFlat, null, null, mismatch);
        }

        var lease = new PositionLease(this, slot.Price, LeaseKind.Close, Interlocked.Increment(ref _nextFencingToken), now + Settings.LeaseTimeout);
        slot.Lease = new LeaseState { Token = lease.FencingToken, Kind = LeaseKind.Close, ExpiresAt = lease.ExpiresAt };

        // The live order goes first, so none is left orphaned; a pending one must report its result first.
        OrderAction? cancel = null;
        if (slot.Status == SlotStatus.Live && slot.TryClaimCancel_NeedsLock(_nextClaimToken, out OrderAction action, out _) == ClaimRejection.None)
        {
            _nextClaimToken++;
            cancel = action;
        }

        published |= SlotChanged_NeedsSlotLock(slot);
        return new CloseStart(CloseStatus.Started, lease, cancel, mismatch);
    }

    /// <summary>
    /// Claims the closing order for a close lease: the whole inventory, at <paramref name="price"/>. The slot must have
    /// no order in flight (send the lease's cancel first and let its result and terminal update arrive).
    /// </summary>
    /// <param name="lease">The close lease from <see cref="BeginClose"/>.</param>
    /// <param name="price">The closing order's limit price (on the tick grid).</param>
    /// <param name="exchangeQuantity">The exchange's quantity for this position, if checked: the slot is set to it first, and zero completes the close without an order.</param>
    /// <returns>The closing order to send (claimed like any other), or none when the position is flat.</returns>
    /// <exception cref="LeaseLostException">The lease expired or ended: a late finisher may not close the position.</exception>
    /// <exception cref="InvalidOperationException">The slot still has an order in flight.</exception>
    /// <exception cref="ArgumentException">The price or exchange quantity is invalid, or the lease is not a close lease.</exception>
    public CloseOrder ClaimCloseOrder(PositionLease lease, decimal price, decimal? exchangeQuantity = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Close)
        {
            throw new ArgumentException($"{lease} is not a close lease.", nameof(lease));
        }

        _grid.GetTicks(price, nameof(price));
        ValidateExchangeQuantity(exchangeQuantity, nameof(exchangeQuantity));
        DateTimeOffset now = _time.GetUtcNow();
        Exception? refused = null;
        CloseOrder result = new(null, null);
        bool published = false;
        lock (_sync)
        {
            Slot slot = LeasedSlot(lease);
            lock (slot.Sync)
            {
                refused = !HoldsLease_NeedsSlotLock(slot, lease, now) ? slot.LeaseLost_NeedsLock(lease.FencingToken, now)
                    : slot.Status != SlotStatus.Free ? new InvalidOperationException($"Slot {slot.Price} still has order {slot.Order.ClientOrderId} ({slot.Status}); its cancel or result must land before the closing order.")
                    : null;
                if (refused is null)
                {
                    result = ClaimCloseOrder_NeedsLocks(slot, lease, price, exchangeQuantity, ref published);
                }
            }

            if (result.Action is { } action)
            {
                _index.AddClientId(action.ClientOrderId, slot);
            }
        }

        AfterOperation(null, published);
        return refused is null ? result : throw refused;
    }

    private CloseOrder ClaimCloseOrder_NeedsLocks(Slot slot, PositionLease lease, decimal price, decimal? exchangeQuantity, ref bool published)
    {
        PositionMismatch? mismatch = exchangeQuantity is { } onExchange ? slot.AdjustToExchange_NeedsLock(onExchange) : null;
        OrderAction? action = null;
        if (slot.Position.IsFlat)
        {
            slot.EndLease_NeedsLock(lease.FencingToken); // nothing left to sell: the close is complete
        }
        else
        {
            action = new OrderAction(OrderActionType.Place, slot.Price, ClosingSide, price, slot.Position.Inventory, NextClientOrderId_NeedsGlobalLock(), null, _nextClaimToken++);
            slot.BeginOrder_NeedsLock(action.Value, OrderRole.Close);
        }

        published |= SlotChanged_NeedsSlotLock(slot);
        return new CloseOrder(action, mismatch);
    }

    /// <summary>
    /// The emergency flatten: begins a close of every slot that holds inventory or has an order in flight. Slots whose
    /// position another caller holds are reported, not waited for.
    /// </summary>
    /// <param name="exchangeQuantities">The exchange's quantity per slot price, where the caller checked.</param>
    public FlattenPlan CloseAll(IReadOnlyDictionary<decimal, decimal>? exchangeQuantities = null)
    {
        var closes = new List<CloseStart>();
        var conflicts = new List<PositionConflictException>();
        foreach (SlotView slot in GetSlots().Where(s => s.Inventory > 0 || s.Order is not null))
        {
            decimal? onExchange = exchangeQuantities is not null && exchangeQuantities.TryGetValue(slot.Price, out decimal q) ? q : null;
            try
            {
                closes.Add(BeginClose(new CloseRequest(slot.Price, onExchange)));
            }
            catch (PositionConflictException conflict)
            {
                conflicts.Add(conflict);
            }
        }

        return new FlattenPlan(closes, conflicts);
    }

    /// <summary>Whether <paramref name="lease"/> still holds its slot.</summary>
    internal bool IsLeaseHeld(PositionLease lease)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Slot slot = LeasedSlot(lease);

        lock (slot.Sync)
        {
            return HoldsLease_NeedsSlotLock(slot, lease, now);
        }
    }

    /// <summary>Ends <paramref name="lease"/> if it still names its slot; safe to call any number of times.</summary>
    internal void ReleaseLease(PositionLease lease)
    {
        Slot slot = LeasedSlot(lease);

        bool published = false;
        lock (slot.Sync)
        {
            if (slot.EndLease_NeedsLock(lease.FencingToken))
            {
                published = SlotChanged_NeedsSlotLock(slot);
            }
        }

        AfterOperation(null, published);
    }

    /// <summary>A lease is only ever granted on an existing slot, and slots are never removed.</summary>
    private Slot LeasedSlot(PositionLease lease) =>
        _slots.TryGetValue(_grid.GetTicks(lease.SlotPrice, nameof(lease)), out Slot? slot) && ReferenceEquals(lease.Owner, this)
            ? slot
            : throw new ArgumentException($"{lease} was not granted by this manager.", nameof(lease));

    private static bool HoldsLease_NeedsSlotLock(Slot slot, PositionLease lease, DateTimeOffset now)
    {
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.NoFencing))
        {
            return true;
        }
#endif
        return slot.HoldsLease_NeedsLock(lease.FencingToken, now);
    }

    private void ValidateExchangeQuantity(decimal? quantity, string paramName)
    {
        if (quantity is { } q && (q < 0 || q % _grid.QuantityStep != 0))
        {
            throw new ArgumentException($"The exchange quantity must be zero or a positive multiple of the quantity step {_grid.QuantityStep}; got {q}.", paramName);
        }
    }
}
