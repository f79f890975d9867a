using GridPositions.Leases;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Begins closing one slot's position, exclusively: concurrent closes (and modifies) of the same position get a
    /// <see cref="PositionConflictException"/> until this close completes, is released, or its lease expires
    /// (<see cref="PositionManagerOptions.LeaseTimeout"/>; <see cref="PositionLease.Renew"/> extends it).
    /// </summary>
    /// <returns>
    /// Started, with the lease and, if the slot had a live order, the already claimed cancel to send first (so no
    /// order is orphaned); or already flat (no lease), a successful no-op.
    /// </returns>
    /// <remarks>
    /// <para>While the close lease is held, strategy claims on the slot are refused (<see cref="ClaimRejection.PositionLeased"/>).
    /// Once the slot has no order in flight, claim the closing order with <see cref="ClaimCloseOrder"/>; an order that
    /// goes live after the close began is cancelled with <see cref="ClaimCancel(PositionLease)"/>. When the closing
    /// fills bring the slot flat (profit realised once, as for any closing fill), the lease completes by itself.</para>
    /// <para>Claims taken under the lease do not outlive it: when it expires or is released, its unanswered cancel gives
    /// the order back (the next holder gets a fresh cancel to send) and its unanswered closing place becomes
    /// <see cref="SlotStatus.Unknown"/> for reconciliation to settle.</para>
    /// <para>With <see cref="CloseRequest.ExchangeQuantity"/>, the exchange's truth wins: a position the exchange holds
    /// at a level whose books are flat (or that has no slot yet) is reported as a mismatch and closed like any other.</para>
    /// </remarks>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    /// <exception cref="ArgumentException">The slot price is off the tick grid, or the exchange quantity is negative, off the quantity step or beyond the bound.</exception>
    public CloseStart BeginClose(CloseRequest request)
    {
        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        ValidateExchangeQuantity(request.ExchangeQuantity, nameof(request));
        DateTimeOffset now = _time.GetUtcNow();
        var op = new Operation(this);
        try
        {
            return BeginCloseCore(request, key, now, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    private CloseStart BeginCloseCore(in CloseRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        PositionConflictException? conflict = null;
        CloseStart start;
        using (_book.Enter())
        {
            // No slot yet: the exchange may still hold a position there (its truth wins); build one, kept only if it holds something.
            bool isNew = !_book.TryGet(key, out Slot? slot);
            // Stryker disable once Block,Statement : a shortcut: a new slot with no exchange quantity would be found flat below and not kept
            if (isNew && request.ExchangeQuantity is not > 0)
            {
                return new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }

            slot ??= new Slot(key, _grid.ToPrice(key));
            using (slot.Enter())
            {
                LapseClaims_NeedsSlotLock(slot, now, ref op);
                conflict = slot.LeaseConflict_NeedsLock(now);
#if FAULT_INJECTION
                if (conflict is null && Diagnostics.FaultInjection.Is(Diagnostics.Fault.UnlockedCloseCheck))
                {
                    // The injected bug: let go of both locks between the check and the act.
                    slot.ExitForFault();
                    _book.ExitForFault();
                    _book.EnterForFault();
                    slot.EnterForFault();
                }
#endif
                start = conflict is null
                    ? BeginClose_NeedsLocks(slot, request.ExchangeQuantity, now, ref op)
                    : new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }

            // Stryker disable once Logical : adding an existing slot is a no-op, and a new slot that was not started was refused by a throw
            if (isNew && start.Status == CloseStatus.Started)
            {
                _book.Add_NeedsLock(slot);
            }
        }

        return conflict is null ? start : throw conflict;
    }

    private CloseStart BeginClose_NeedsLocks(Slot slot, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        AssertSlotLock(slot);
        PositionMismatch? mismatch = null;
        if (slot.Status == SlotStatus.Free && exchangeQuantity is { } onExchange)
        {
            mismatch = AdjustToExchange_NeedsSlotLock(slot, onExchange);
        }

        if (slot.Status == SlotStatus.Free && slot.Position.IsFlat)
        {
            if (mismatch is not null)
            {
                SlotChanged_NeedsSlotLock(slot, ref op);
            }

            return new CloseStart(CloseStatus.AlreadyFlat, null, null, mismatch);
        }

        var lease = new PositionLease(this, slot.Price, LeaseKind.Close, _book.NextFencingToken(), now + Settings.LeaseTimeout);
        slot.BeginLease_NeedsLock(new LeaseState { Token = lease.FencingToken, Kind = LeaseKind.Close, ExpiresAt = lease.ExpiresAt });

        // The live order goes first, so none is left orphaned; a pending one must report its result first.
        OrderAction? cancel = null;
        if (slot.Status == SlotStatus.Live && slot.TryClaimCancel_NeedsLock(_book.PeekClaimToken_NeedsLock(), now, LeaseTokenOf(lease), out OrderAction action, out _) == ClaimRejection.None)
        {
            _book.TakeClaimToken_NeedsLock();
            cancel = action;
        }

        SlotChanged_NeedsSlotLock(slot, ref op);
        return new CloseStart(CloseStatus.Started, lease, cancel, mismatch);
    }

    /// <summary>The lease a claim taken by <paramref name="lease"/>'s holder is bound to (see <see cref="Slot.LapseClaims_NeedsLock"/>).</summary>
    private static long LeaseTokenOf(PositionLease lease)
    {
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.LeaseClaimsOutliveLease))
        {
            return 0; // the injected bug: a claim taken under a lease is not bound to it, so it outlives the lease
        }
#endif
        return lease.FencingToken;
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
    /// <exception cref="OrderInFlightException">The slot still has an order in flight (cancel it with <see cref="ClaimCancel(PositionLease)"/>, or wait for its result).</exception>
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
        var op = new Operation(this);
        try
        {
            return ClaimCloseOrderCore(lease, price, exchangeQuantity, now, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    private CloseOrder ClaimCloseOrderCore(PositionLease lease, decimal price, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        Exception? refused = null;
        CloseOrder result = new(null, null);
        using (_book.Enter())
        {
            Slot slot = LeasedSlot(lease);
            using (slot.Enter())
            {
                LapseClaims_NeedsSlotLock(slot, now, ref op);
                refused = !HoldsLease_NeedsSlotLock(slot, lease, now) ? slot.LeaseLost_NeedsLock(lease.FencingToken, now)
                    : slot.Status != SlotStatus.Free ? new OrderInFlightException(slot.Price, slot.Order.ClientOrderId, slot.Status)
                    : null;
                if (refused is null)
                {
                    result = ClaimCloseOrder_NeedsLocks(slot, lease, price, exchangeQuantity, now, ref op);
                }
            }

            if (result.Action is { } action)
            {
                _book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
            }
        }

        return refused is null ? result : throw refused;
    }

    private CloseOrder ClaimCloseOrder_NeedsLocks(Slot slot, PositionLease lease, decimal price, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        AssertSlotLock(slot);
        PositionMismatch? mismatch = exchangeQuantity is { } onExchange ? AdjustToExchange_NeedsSlotLock(slot, onExchange) : null;
        OrderAction? action = null;
        if (slot.Position.IsFlat)
        {
            slot.EndLease_NeedsLock(lease.FencingToken); // nothing left to sell: the close is complete
        }
        else
        {
            action = new OrderAction(OrderActionType.Place, slot.Price, ClosingSide, price, slot.Position.Inventory, _book.NextClientOrderId_NeedsLock(), null, _book.TakeClaimToken_NeedsLock());
            slot.BeginOrder_NeedsLock(action.Value, OrderRole.Close, now, LeaseTokenOf(lease));
        }

        SlotChanged_NeedsSlotLock(slot, ref op);
        return new CloseOrder(action, mismatch);
    }

    /// <summary>
    /// Claims a cancel of the slot's live order for the holder of a close lease: an order that went live after the close
    /// began (its place result arrived late), which strategy claims may no longer touch. The claim is bound to the lease.
    /// </summary>
    /// <param name="lease">The close lease from <see cref="BeginClose"/>.</param>
    /// <returns>The claimed cancel to send, or why there is none (<see cref="ClaimRejection.NothingToCancel"/>, or <see cref="ClaimRejection.SlotBusy"/> while a place result or a cancel is pending).</returns>
    /// <exception cref="LeaseLostException">The lease expired or ended.</exception>
    /// <exception cref="ArgumentException">The lease is not a close lease of this manager.</exception>
    public ClaimResult ClaimCancel(PositionLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Close)
        {
            throw new ArgumentException($"{lease} is not a close lease.", nameof(lease));
        }

        DateTimeOffset now = _time.GetUtcNow();
        var op = new Operation(this);
        try
        {
            return ClaimCancelCore(lease, now, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    private ClaimResult ClaimCancelCore(PositionLease lease, DateTimeOffset now, ref Operation op)
    {
        var request = ClaimRequest.Cancel(lease.SlotPrice);
        ClaimResult result = default;
        LeaseLostException? lost = null;
        using (_book.Enter())
        {
            Slot slot = LeasedSlot(lease);
            using (slot.Enter())
            {
                LapseClaims_NeedsSlotLock(slot, now, ref op);
                if (!HoldsLease_NeedsSlotLock(slot, lease, now))
                {
                    lost = slot.LeaseLost_NeedsLock(lease.FencingToken, now);
                }
                else if (slot.TryClaimCancel_NeedsLock(_book.PeekClaimToken_NeedsLock(), now, LeaseTokenOf(lease), out OrderAction action, out string? detail) is var rejection && rejection != ClaimRejection.None)
                {
                    result = ClaimResult.Rejected(request, rejection, detail!);
                }
                else
                {
                    _book.TakeClaimToken_NeedsLock();
                    SlotChanged_NeedsSlotLock(slot, ref op);
                    result = ClaimResult.Accepted(request, action);
                }
            }
        }

        if (lost is not null)
        {
            throw lost;
        }

        _counters.Increment(result.IsAccepted ? Diagnostics.Counter.ClaimsAccepted : Diagnostics.Counter.ClaimsRejected);
        return result;
    }

    /// <summary>
    /// The emergency flatten: begins a close of every slot that holds inventory or has an order in flight, and of every
    /// level where the exchange says it holds a position the books do not. Slots whose position another caller holds are
    /// reported, not waited for.
    /// </summary>
    /// <param name="exchangeQuantities">The exchange's quantity per slot price, where the caller checked.</param>
    /// <remarks>The whole request is validated before anything starts: a bad price or quantity starts no close at all.</remarks>
    /// <exception cref="ArgumentException">A price in <paramref name="exchangeQuantities"/> is off the tick grid, or a quantity is invalid (both named).</exception>
    public FlattenPlan CloseAll(IReadOnlyDictionary<decimal, decimal>? exchangeQuantities = null)
    {
        var onExchange = new SortedDictionary<long, (decimal Price, decimal Quantity)>();
        foreach ((decimal price, decimal quantity) in exchangeQuantities ?? new Dictionary<decimal, decimal>())
        {
            if (!_grid.TryGetTicks(price, out long key))
            {
                throw new ArgumentException($"exchangeQuantities[{price}]: {_grid.DescribeBadPrice(price)}.", nameof(exchangeQuantities));
            }

            if (DescribeBadExchangeQuantity(quantity) is { } problem)
            {
                throw new ArgumentException($"exchangeQuantities[{price}]: {problem}.", nameof(exchangeQuantities));
            }

            onExchange[key] = (price, quantity);
        }

        var targets = new SortedDictionary<long, CloseRequest>();
        foreach (SlotView slot in GetSlots().Where(s => s.Inventory > 0 || s.Order is not null))
        {
            targets[_grid.GetTicks(slot.Price, nameof(exchangeQuantities))] = new CloseRequest(slot.Price);
        }

        foreach ((long key, (decimal price, decimal quantity)) in onExchange)
        {
            if (quantity > 0 || targets.ContainsKey(key))
            {
                targets[key] = new CloseRequest(price, quantity);
            }
        }

        var closes = new List<CloseStart>();
        var conflicts = new List<PositionConflictException>();
        try
        {
            foreach (CloseRequest request in targets.Values)
            {
                try
                {
                    closes.Add(BeginClose(request));
                }
                catch (PositionConflictException conflict)
                {
                    conflicts.Add(conflict);
                }
            }
        }
        catch
        {
            // Validated above, so only a change racing this call gets here: leave no lease nobody was given.
            foreach (CloseStart started in closes)
            {
                started.Lease?.Dispose();
            }

            throw;
        }

        return new FlattenPlan(closes, conflicts);
    }

    /// <summary>Whether <paramref name="lease"/> still holds its slot.</summary>
    internal bool IsLeaseHeld(PositionLease lease)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Slot slot = LeasedSlot(lease);

        using (slot.Enter())
        {
            return HoldsLease_NeedsSlotLock(slot, lease, now);
        }
    }

    /// <summary>Ends <paramref name="lease"/> if it still names its slot, with the claims taken under it; safe to call any number of times.</summary>
    internal void ReleaseLease(PositionLease lease)
    {
        Slot slot = LeasedSlot(lease);
        DateTimeOffset now = _time.GetUtcNow();
        var op = new Operation(this);
        try
        {
            using (slot.Enter())
            {
                if (slot.EndLease_NeedsLock(lease.FencingToken))
                {
                    if (slot.LapseClaims_NeedsLock(now, Settings.PendingClaimTimeout))
                    {
                        _counters.Increment(Diagnostics.Counter.ClaimsLapsed); // the claims taken under it end with it
                    }

                    SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }
    }

    /// <summary>Extends <paramref name="lease"/> by <see cref="PositionManagerOptions.LeaseTimeout"/> from now, if it still holds its slot.</summary>
    internal DateTimeOffset RenewLease(PositionLease lease)
    {
        Slot slot = LeasedSlot(lease);
        DateTimeOffset now = _time.GetUtcNow();
        LeaseLostException? lost = null;
        DateTimeOffset expiresAt = now + Settings.LeaseTimeout;
        var op = new Operation(this);
        try
        {
            using (slot.Enter())
            {
                if (HoldsLease_NeedsSlotLock(slot, lease, now) && slot.RenewLease_NeedsLock(lease.FencingToken, expiresAt))
                {
                    lease.ExpiresAt = expiresAt;
                    SlotChanged_NeedsSlotLock(slot, ref op);
                }
                else
                {
                    lost = slot.LeaseLost_NeedsLock(lease.FencingToken, now);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return lost is null ? expiresAt : throw lost;
    }

    /// <summary>A lease is only ever granted on an existing slot, and slots are never removed.</summary>
    private Slot LeasedSlot(PositionLease lease) =>
        _book.TryGet(_grid.GetTicks(lease.SlotPrice, nameof(lease)), out Slot? slot) && ReferenceEquals(lease.Owner, this)
            ? slot
            : throw new ArgumentException($"{lease} was not granted by this manager.", nameof(lease));

    private static bool HoldsLease_NeedsSlotLock(Slot slot, PositionLease lease, DateTimeOffset now)
    {
        AssertSlotLock(slot);
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
        if (quantity is { } q && DescribeBadExchangeQuantity(q) is { } problem)
        {
            throw new ArgumentException($"The exchange quantity {problem}.", paramName);
        }
    }

    private string? DescribeBadExchangeQuantity(decimal q) =>
        q < 0 || !_grid.IsOnStep(q) ? $"must be zero or a positive multiple of the quantity step {_grid.QuantityStep}; got {q}"
        : q > Fills.Amounts.Max ? $"is {q}, beyond the bound of {Fills.Amounts.Max:N0}"
        : null;

    /// <summary>Sets the slot to the exchange's quantity; refused (ArgumentException, nothing changed) if its cost would be beyond the bound.</summary>
    private static PositionMismatch? AdjustToExchange_NeedsSlotLock(Slot slot, decimal exchangeQuantity)
    {
        AssertSlotLock(slot);
        return slot.AdjustToExchange_NeedsLock(exchangeQuantity, out string? problem) ?? (problem is null ? null : throw new ArgumentException(problem, nameof(exchangeQuantity)));
    }
}
