using GridPositions.Book;
using GridPositions.Claims;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Leases;

/// <summary>
/// Closing a position under a close lease: begin (cancelling a live order first, so none is orphaned), claim the
/// closing order or a cancel for the holder, and the emergency flatten of every slot.
/// </summary>
internal sealed class CloseRules(ManagerContext context, SlotBook book, OperationSinks sinks, ClaimRules claims, LeaseRules leases)
{
    private readonly PriceGrid _grid = context.Grid;

    // With base-asset fees the exchange's balance is the fills less their fees, so it need not be on the step.
    private readonly bool _offStepBalances = context.FeeAssets.PaysInQuantity;

    public CloseStart Begin(in CloseRequest request)
    {
        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        ValidateExchangeQuantity(request.ExchangeQuantity, nameof(request));
        DateTimeOffset now = context.Now;
        Operation op = sinks.Begin();
        try
        {
            return BeginCore(request, key, now, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    private CloseStart BeginCore(in CloseRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        PositionConflictException? conflict = null;
        CloseStart start;
        using (book.Enter())
        {
            // No slot yet: the exchange may still hold a position there (its truth wins); build one, kept only if it holds something.
            bool isNew = !book.TryGet(key, out Slot? slot);
            // Stryker disable once Block,Statement : a shortcut: a new slot with no exchange quantity would be found flat below and not kept
            if (isNew && request.ExchangeQuantity is not > 0)
            {
                return new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }

            slot ??= new Slot(key, _grid.ToPrice(key));
            using (slot.Enter())
            {
                claims.LapseClaims_NeedsSlotLock(slot, now, ref op);
                conflict = slot.LeaseConflict_NeedsLock(now);
#if FAULT_INJECTION
                if (conflict is null && Diagnostics.FaultInjection.Is(Diagnostics.Fault.UnlockedCloseCheck))
                {
                    // The injected bug: let go of both locks between the check and the act.
                    slot.ExitForFault();
                    book.ExitForFault();
                    book.EnterForFault();
                    slot.EnterForFault();
                }
#endif
                start = conflict is null
                    ? Begin_NeedsBookAndSlotLock(slot, request.ExchangeQuantity, now, ref op)
                    : new CloseStart(CloseStatus.AlreadyFlat, null, null, null);
            }

            // Stryker disable once Logical : adding an existing slot is a no-op, and a new slot that was not started was refused by a throw
            if (isNew && start.Status == CloseStatus.Started)
            {
                book.Add_NeedsLock(slot);
            }
        }

        return conflict is null ? start : throw conflict;
    }

    private CloseStart Begin_NeedsBookAndSlotLock(Slot slot, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        slot.AssertLocked();
        PositionMismatch? mismatch = null;
        if (slot.Status == SlotStatus.Free && exchangeQuantity is { } onExchange)
        {
            mismatch = AdjustToExchange_NeedsSlotLock(slot, onExchange);
        }

        if (slot.Status == SlotStatus.Free && slot.Position.IsFlat)
        {
            if (mismatch is not null)
            {
                sinks.SlotChanged_NeedsSlotLock(slot, ref op);
            }

            return new CloseStart(CloseStatus.AlreadyFlat, null, null, mismatch);
        }

        PositionLease lease = leases.Grant_NeedsSlotLock(slot, LeaseKind.Close, now);

        // The live order goes first, so none is left orphaned; a pending one must report its result first.
        OrderAction? cancel = null;
        if (slot.Status == SlotStatus.Live && slot.TryClaimCancel_NeedsLock(book.PeekClaimToken_NeedsLock(), now, LeaseRules.TokenOf(lease), out OrderAction action, out _) == ClaimRejection.None)
        {
            book.TakeClaimToken_NeedsLock();
            cancel = action;
        }

        sinks.SlotChanged_NeedsSlotLock(slot, ref op);
        return new CloseStart(CloseStatus.Started, lease, cancel, mismatch);
    }

    public CloseOrder ClaimOrder(PositionLease lease, decimal price, decimal? exchangeQuantity)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Close)
        {
            throw new ArgumentException($"{lease} is not a close lease.", nameof(lease));
        }

        _grid.GetTicks(price, nameof(price));
        ValidateExchangeQuantity(exchangeQuantity, nameof(exchangeQuantity));
        DateTimeOffset now = context.Now;
        Operation op = sinks.Begin();
        try
        {
            return ClaimOrderCore(lease, price, exchangeQuantity, now, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    private CloseOrder ClaimOrderCore(PositionLease lease, decimal price, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        Exception? refused = null;
        CloseOrder result = new(null, null);
        using (book.Enter())
        {
            Slot slot = leases.LeasedSlot(lease);
            using (slot.Enter())
            {
                claims.LapseClaims_NeedsSlotLock(slot, now, ref op);
                refused = !LeaseRules.Holds_NeedsSlotLock(slot, lease, now) ? leases.Lost_NeedsSlotLock(slot, lease, now)
                    : slot.Status != SlotStatus.Free ? new OrderInFlightException(slot.Price, slot.Order.ClientOrderId, slot.Status)
                    : null;
                if (refused is null)
                {
                    result = ClaimOrder_NeedsBookAndSlotLock(slot, lease, price, exchangeQuantity, now, ref op);
                }
            }

            if (result.Action is { } action)
            {
                book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
            }
        }

        return refused is null ? result : throw refused;
    }

    private CloseOrder ClaimOrder_NeedsBookAndSlotLock(Slot slot, PositionLease lease, decimal price, decimal? exchangeQuantity, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        slot.AssertLocked();
        PositionMismatch? mismatch = exchangeQuantity is { } onExchange ? AdjustToExchange_NeedsSlotLock(slot, onExchange) : null;
        OrderAction? action = null;
        if (slot.Position.IsFlat)
        {
            slot.EndLease_NeedsLock(lease.FencingToken); // nothing left to sell: the close is complete
        }
        else
        {
            action = context.WithIntent(new OrderAction(OrderActionType.Place, slot.Price, context.ClosingSide, price, slot.Position.Inventory, book.NextClientOrderId_NeedsLock(), null, book.TakeClaimToken_NeedsLock()), OrderRole.Close);
            slot.BeginOrder_NeedsLock(action.Value, OrderRole.Close, now, context.FeesPerTrade, LeaseRules.TokenOf(lease));
        }

        sinks.SlotChanged_NeedsSlotLock(slot, ref op);
        return new CloseOrder(action, mismatch);
    }

    public ClaimResult ClaimCancel(PositionLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Kind != LeaseKind.Close)
        {
            throw new ArgumentException($"{lease} is not a close lease.", nameof(lease));
        }

        DateTimeOffset now = context.Now;
        Operation op = sinks.Begin();
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
        using (book.Enter())
        {
            Slot slot = leases.LeasedSlot(lease);
            using (slot.Enter())
            {
                claims.LapseClaims_NeedsSlotLock(slot, now, ref op);
                if (!LeaseRules.Holds_NeedsSlotLock(slot, lease, now))
                {
                    lost = leases.Lost_NeedsSlotLock(slot, lease, now);
                }
                else if (slot.TryClaimCancel_NeedsLock(book.PeekClaimToken_NeedsLock(), now, LeaseRules.TokenOf(lease), out OrderAction action, out string? detail) is var rejection && rejection != ClaimRejection.None)
                {
                    result = ClaimResult.Rejected(request, rejection, detail!);
                }
                else
                {
                    book.TakeClaimToken_NeedsLock();
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                    result = ClaimResult.Accepted(request, action);
                }
            }
        }

        if (lost is not null)
        {
            throw lost;
        }

        context.Counters.Increment(result.IsAccepted ? Diagnostics.Counter.ClaimsAccepted : Diagnostics.Counter.ClaimsRejected);
        return result;
    }

    /// <summary>The emergency flatten over <paramref name="slots"/> (the manager's slots now) and the exchange's quantities.</summary>
    public FlattenPlan CloseAll(IReadOnlyDictionary<decimal, decimal>? exchangeQuantities, IReadOnlyList<SlotView> slots)
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
        foreach (SlotView slot in slots.Where(s => s.Inventory > 0 || s.Order is not null))
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
                    closes.Add(Begin(request));
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

    private void ValidateExchangeQuantity(decimal? quantity, string paramName)
    {
        if (quantity is { } q && DescribeBadExchangeQuantity(q) is { } problem)
        {
            throw new ArgumentException($"The exchange quantity {problem}.", paramName);
        }
    }

    private string? DescribeBadExchangeQuantity(decimal q) =>
        q < 0 ? $"must be zero or positive; got {q}"
        : !_offStepBalances && !_grid.IsOnStep(q) ? $"must be zero or a positive multiple of the quantity step {_grid.QuantityStep}; got {q}"
        : q > Fills.Amounts.Max ? $"is {q}, beyond the bound of {Fills.Amounts.Max:N0}"
        : null;

    /// <summary>Sets the slot to the exchange's quantity; refused (ArgumentException, nothing changed) if its cost would be beyond the bound.</summary>
    private static PositionMismatch? AdjustToExchange_NeedsSlotLock(Slot slot, decimal exchangeQuantity)
    {
        slot.AssertLocked();
        return slot.AdjustToExchange_NeedsLock(exchangeQuantity, out string? problem) ?? (problem is null ? null : throw new ArgumentException(problem, nameof(exchangeQuantity)));
    }
}
