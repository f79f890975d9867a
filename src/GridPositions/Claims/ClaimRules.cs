using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Claims;

/// <summary>
/// Claims: the check and the claim of a slot in one slot-lock section inside the book's lock, so of many concurrent
/// claims for a free slot exactly one wins; and the lapse of claims nobody will answer.
/// </summary>
internal sealed class ClaimRules(ManagerContext context, SlotBook book, OperationSinks sinks)
{
    private readonly PriceGrid _grid = context.Grid;

    /// <summary>
    /// Claims each request in order under one hold of the book's lock; returns when the claims are durable, or, with
    /// <paramref name="durableAt"/>, returns at once and leaves there the journal sequence the caller must await.
    /// </summary>
    public ClaimResult[] Claim(ClaimRequest[] batch, bool deferDurability, out ulong durableAt)
    {
        var results = new ClaimResult[batch.Length];

        // Leases and claims expire with time; the clock is user code, so it is read here, outside the lock.
        DateTimeOffset now = context.Now;
        durableAt = 0;
        Operation op = deferDurability ? sinks.Begin(ref durableAt) : sinks.Begin();
        try
        {
            using (book.Enter())
            {
                for (int i = 0; i < results.Length; i++)
                {
                    results[i] = Claim_NeedsBookLock(batch[i], now, ref op);
                }
            }

            foreach (ClaimResult result in results)
            {
                if (!result.IsRepeat)
                {
                    context.Counters.Increment(result.IsAccepted ? Counter.ClaimsAccepted : Counter.ClaimsRejected); // a repeat claimed nothing
                }
            }
        }
        finally
        {
            op.Dispose(); // a claim is on disk before it is returned (or its caller awaits that)
        }

        return results;
    }

    /// <summary>The awaited form: claims at once and completes once the claims are durable; a token already canceled claims nothing.</summary>
    public ValueTask<IReadOnlyList<ClaimResult>> ClaimAsync(ClaimRequest[] batch, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<ClaimResult>>(cancellationToken);
        }

        ClaimResult[] results = Claim(batch, deferDurability: true, out ulong durableAt);
        return sinks.WhenDurable<IReadOnlyList<ClaimResult>>(results, durableAt, cancellationToken);
    }

    private ClaimResult Claim_NeedsBookLock(in ClaimRequest request, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        if (ValidateClaim(request) is { } problem)
        {
            return ClaimResult.Rejected(request, ClaimRejection.Invalid, problem);
        }

        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        return request.Type == OrderActionType.Place
            ? ClaimPlace_NeedsBookLock(request, key, now, ref op)
            : ClaimCancel_NeedsBookLock(request, key, now, ref op);
    }

    private ClaimResult ClaimPlace_NeedsBookLock(in ClaimRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        if (request.ClientOrderId is { } requestedId && book.IsClientIdKnown_NeedsLock(requestedId))
        {
            return RepeatOrRefuse_NeedsBookLock(request, requestedId, key, now, ref op);
        }

        // A level never used has no slot yet: check against a new one, and add it to the table only if the claim is
        // accepted, so a refusal leaves no trace.
        bool isNew = !book.TryGet(key, out Slot? slot);
        slot ??= new Slot(key, _grid.ToPrice(key));
        OrderSide side = request.WholePosition ? context.ClosingSide : request.Side;
        OrderRole role = context.RoleOf(side);
        OrderAction action;

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.SplitClaimCheck) && !request.WholePosition)
        {
            book.Add_NeedsLock(slot);
            return ClaimPlaceInTwoSections_NeedsBookLock(request, slot, role, now, ref op);
        }
#endif

        // Check and claim in one slot-lock section: no other claim, result or update can come between them.
        using (slot.Enter())
        {
            LapseClaims_NeedsSlotLock(slot, now, ref op);
            ClaimRejection rejection = ClosingLease_NeedsSlotLock(slot, now, out string? detail);

            // A whole-position close is for what the slot holds now, read in the section that claims it.
            decimal quantity = request.WholePosition ? slot.Position.Inventory : request.Quantity;
            if (rejection == ClaimRejection.None && request.WholePosition && quantity == 0)
            {
                (rejection, detail) = (ClaimRejection.WouldOversell, $"slot {slot.Price} holds nothing to close");
            }
            else if (rejection == ClaimRejection.None && request.WholePosition && !Fills.Amounts.ProductFits(request.Price, quantity))
            {
                (rejection, detail) = (ClaimRejection.Invalid, $"Price x the inventory ({request.Price} x {quantity}) is beyond the bound of {Fills.Amounts.Max:N0}");
            }

            if (rejection == ClaimRejection.None)
            {
                rejection = slot.CheckPlace_NeedsLock(role, quantity, out detail);
            }

            // Off the quantity step is refused, except a close of exactly what the slot holds: an off-step fill can
            // never leave a position that cannot be flattened.
            if (rejection == ClaimRejection.None && !_grid.IsOnStep(quantity) && !(role == OrderRole.Close && quantity == slot.Position.Inventory))
            {
                (rejection, detail) = (ClaimRejection.Invalid, "Quantity: " + _grid.DescribeBadQuantity(quantity) + (role == OrderRole.Close ? $" (a close off the step must be for exactly the {slot.Position.Inventory} the slot holds)" : ""));
            }

            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }

            string clientOrderId = request.ClientOrderId ?? book.NextClientOrderId_NeedsLock();
            action = context.WithIntent(new OrderAction(OrderActionType.Place, slot.Price, side, request.Price, quantity, clientOrderId, null, book.TakeClaimToken_NeedsLock()), role, request.PostOnly, request.TimeInForce);
            slot.BeginOrder_NeedsLock(action, role, now, context.FeesPerTrade);
            if (role == OrderRole.Open)
            {
                slot.SetPositionParameters_NeedsLock(request.Leverage, request.StopLossFraction);
            }

            sinks.SlotChanged_NeedsSlotLock(slot, ref op);
        }

        if (isNew)
        {
            book.Add_NeedsLock(slot);
        }

        book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
        if (book.ParkedCount_NeedsLock() > 0)
        {
            context.Counters.Add(Counter.UpdatesRedriven, book.TakeParked_NeedsLock(action.ClientOrderId, null, ref op));
        }

        return ClaimResult.Accepted(request, action);
    }

    /// <summary>
    /// A place claim whose client order id is known: the same claim retried (same slot, side, price and quantity, nothing
    /// heard of it yet, younger than the claim timeout) gets the original back, so a caller that timed out can retry.
    /// Anything else is a conflict: once a result or the exchange has named the order, or the claim is older than the
    /// timeout, sending the place again could duplicate it.
    /// </summary>
    private ClaimResult RepeatOrRefuse_NeedsBookLock(in ClaimRequest request, string clientOrderId, long key, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        if (book.TryRoute_NeedsLock(null, clientOrderId, out Slot? slot) && slot.Key == key)
        {
            using (slot.Enter())
            {
                OrderState o = slot.Order;
                // Nothing heard of it yet, and younger than the claim timeout: pending, or lapsed to Unknown by a recovery
                // (the process that held it died before answering) with no exchange id. A claim older than the timeout may
                // have been sent by a caller that then gave up: its place may be on the exchange, so reconcile instead.
                bool young = now - o.ClaimedAt < context.Settings.PendingClaimTimeout;
                bool unheard = slot.Status == SlotStatus.PendingPlace || (slot.Status == SlotStatus.Unknown && o.OrderId is null);
                bool same = unheard && young && o.ClientOrderId == clientOrderId
                    && (request.WholePosition ? o.Role == OrderRole.Close : o.Side == request.Side && o.Quantity == request.Quantity)
                    && o.Price == request.Price && o.PostOnly == request.PostOnly && o.TimeInForce == request.TimeInForce;
                if (same)
                {
                    sinks.AwaitRecordedSoFar(ref op); // the original claim is durable before its repeat is returned
                    var action = new OrderAction(OrderActionType.Place, slot.Price, o.Side, o.Price, o.Quantity, o.ClientOrderId, null, o.ClaimToken);
                    return ClaimResult.Repeated(request, context.WithIntent(action, o.Role, o.PostOnly, o.TimeInForce));
                }

                if (slot.Status != SlotStatus.Free && o.ClientOrderId == clientOrderId)
                {
                    string why = unheard && !young ? $"and it is older than the claim timeout ({context.Settings.PendingClaimTimeout}): its place may have reached the exchange, so reconcile it (by client order id) before claiming again"
                        : unheard ? "for a different order"
                        : o.OrderId is { } known ? $"and the exchange knows it as order {known} (slot {slot.Price} is {slot.Status})"
                        : $"and its place result was applied (slot {slot.Price} is {slot.Status})";
                    return ClaimResult.Rejected(request, ClaimRejection.Invalid, $"client order id {clientOrderId} is already in use by the claim of slot {slot.Price} {why}; a retry must repeat its claim exactly, before its result");
                }
            }
        }

        return ClaimResult.Rejected(request, ClaimRejection.Invalid, $"client order id {clientOrderId} is already in use");
    }

#if FAULT_INJECTION
    /// <summary>The injected bug: check, let go of every lock, then claim without checking again.</summary>
    private ClaimResult ClaimPlaceInTwoSections_NeedsBookLock(in ClaimRequest request, Slot slot, OrderRole role, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        using (slot.Enter())
        {
            ClaimRejection rejection = slot.CheckPlace_NeedsLock(role, request.Quantity, out string? detail);
            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }
        }

        book.ExitForFault();
        book.EnterForFault();
        OrderAction action;
        using (slot.Enter())
        {
            string clientOrderId = request.ClientOrderId ?? book.NextClientOrderId_NeedsLock();
            action = context.WithIntent(new OrderAction(OrderActionType.Place, slot.Price, request.Side, request.Price, request.Quantity, clientOrderId, null, book.TakeClaimToken_NeedsLock()), role, request.PostOnly, request.TimeInForce);
            slot.BeginOrder_NeedsLock(action, role, now, context.FeesPerTrade);
            sinks.SlotChanged_NeedsSlotLock(slot, ref op);
        }

        book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
        return ClaimResult.Accepted(request, action);
    }
#endif

    private ClaimResult ClaimCancel_NeedsBookLock(in ClaimRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        book.AssertLocked();
        if (!book.TryGet(key, out Slot? slot))
        {
            return ClaimResult.Rejected(request, ClaimRejection.NothingToCancel, $"there is no slot at {request.SlotPrice}");
        }

        using (slot.Enter())
        {
            LapseClaims_NeedsSlotLock(slot, now, ref op);
            OrderAction action = default;
            ClaimRejection rejection = ClosingLease_NeedsSlotLock(slot, now, out string? detail);
            if (rejection == ClaimRejection.None)
            {
                rejection = slot.TryClaimCancel_NeedsLock(book.PeekClaimToken_NeedsLock(), now, leaseToken: 0, out action, out detail);
            }

            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }

            book.TakeClaimToken_NeedsLock();
            sinks.SlotChanged_NeedsSlotLock(slot, ref op);
            return ClaimResult.Accepted(request, action);
        }
    }

    /// <summary>Ends the slot's claims that outlived their lease or the pending-claim timeout, recording the change.</summary>
    public void LapseClaims_NeedsSlotLock(Slot slot, DateTimeOffset now, ref Operation op)
    {
        slot.AssertLocked();
        if (!slot.LapseClaims_NeedsLock(now, context.Settings.PendingClaimTimeout))
        {
            return;
        }

        context.Counters.Increment(Counter.ClaimsLapsed);
        sinks.SlotChanged_NeedsSlotLock(slot, ref op);
    }

    /// <summary>Lapses every claim a crashed process took (see <see cref="Slot.LapseClaimsAtRecovery_NeedsLock"/>), journaled; returns how many.</summary>
    public int LapseAtRecovery()
    {
        DateTimeOffset now = context.Now;
        int lapsed = 0;
        Operation op = sinks.Begin();
        try
        {
            using (book.Enter())
            {
                // Stryker disable once Linq : the order only arranges the lapses' journal records; each slot's own record order is kept either way
                foreach (Slot slot in book.Slots.OrderBy(s => s.Key))
                {
                    using (slot.Enter())
                    {
                        if (slot.LapseClaimsAtRecovery_NeedsLock(now))
                        {
                            lapsed++;
                            sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                        }
                    }
                }
            }

            context.Counters.Add(Counter.ClaimsLapsed, lapsed);
        }
        finally
        {
            op.Dispose();
        }

        return lapsed;
    }

    /// <summary>Strategy claims wait while a close lease holds the slot's position; only its holder acts on it.</summary>
    private static ClaimRejection ClosingLease_NeedsSlotLock(Slot slot, DateTimeOffset now, out string? detail)
    {
        slot.AssertLocked();
        bool closing = slot.Lease.Kind == LeaseKind.Close && slot.Lease.IsHeld(now);
        detail = closing ? $"slot {slot.Price}'s position is being closed under lease {slot.Lease.Token}" : null;
        return closing ? ClaimRejection.PositionLeased : ClaimRejection.None;
    }

    /// <summary>What is wrong with a place's intent, or null: reduce-only exactly when closing, post-only never immediate, the manager's position side.</summary>
    private string? DescribeBadIntent(in ClaimRequest request, bool opening)
    {
        if (request.ReduceOnly is { } reduceOnly && reduceOnly == opening)
        {
            return opening
                ? "ReduceOnly: an opening order cannot be reduce-only (it would be refused or do nothing)"
                : "ReduceOnly: every closing order is reduce-only, so it can never open the other way";
        }

        if (request.TimeInForce is not (TimeInForce.Unspecified or TimeInForce.Gtc or TimeInForce.Ioc or TimeInForce.Fok))
        {
            return $"TimeInForce must be Unspecified, Gtc, Ioc or Fok; got {request.TimeInForce}";
        }

        if (request.PostOnly && request.TimeInForce is (TimeInForce.Ioc or TimeInForce.Fok))
        {
            return $"PostOnly: a post-only order rests on the book, so it cannot be {request.TimeInForce}";
        }

        return request.PositionSide == PositionSide.Unspecified || request.PositionSide == context.PositionSide
            ? null
            : $"PositionSide must be unspecified or {context.PositionSide} ({(context.Settings.HedgeMode ? "hedge mode, this grid's side" : "one-way mode")}); got {request.PositionSide}";
    }

    /// <summary>Null when the request is well formed, otherwise what is wrong with it.</summary>
    private string? ValidateClaim(in ClaimRequest request)
    {
        if (request.Type is not (OrderActionType.Place or OrderActionType.Cancel))
        {
            return $"Type must be Place or Cancel; got {request.Type}";
        }

        if (!_grid.TryGetTicks(request.SlotPrice, out _))
        {
            return "SlotPrice: " + _grid.DescribeBadPrice(request.SlotPrice);
        }

        if (request.Type == OrderActionType.Cancel)
        {
            return request.WholePosition || request.ReduceOnly is not null || request.PostOnly || request.TimeInForce != TimeInForce.Unspecified || request.PositionSide != PositionSide.Unspecified
                ? "WholePosition, ReduceOnly, PostOnly, TimeInForce and PositionSide describe a place; a cancel takes its order's"
                : null;
        }

        if (request.WholePosition)
        {
            if (request.Side != OrderSide.Unspecified && request.Side != context.ClosingSide)
            {
                return $"Side must be unspecified or the closing side {context.ClosingSide} for a whole-position close; got {request.Side}";
            }

            if (request.Quantity != 0)
            {
                return $"Quantity must be zero for a whole-position close (the manager closes what the slot holds); got {request.Quantity}";
            }
        }
        else if (request.Side is not (OrderSide.Buy or OrderSide.Sell))
        {
            return $"Side must be Buy or Sell; got {request.Side}";
        }

        if (!_grid.TryGetTicks(request.Price, out _))
        {
            return "Price: " + _grid.DescribeBadPrice(request.Price);
        }

        // The step is checked with the slot (a close of exactly an off-step inventory is allowed), and so is a
        // whole-position close's quantity; the rest here.
        if (!request.WholePosition && (request.Quantity <= 0 || request.Quantity > Fills.Amounts.Max))
        {
            return "Quantity: " + _grid.DescribeBadQuantity(request.Quantity);
        }

        if (!request.WholePosition && !Fills.Amounts.ProductFits(request.Price, request.Quantity))
        {
            return $"Price x Quantity ({request.Price} x {request.Quantity}) is beyond the bound of {Fills.Amounts.Max:N0}";
        }

        if (request.ClientOrderId is { } id && string.IsNullOrWhiteSpace(id))
        {
            return "ClientOrderId must be null (generated) or not blank";
        }

        bool opening = !request.WholePosition && request.Side == context.OpeningSide;
        if (DescribeBadIntent(request, opening) is { } intentProblem)
        {
            return intentProblem;
        }

        int maxLeverage = context.Settings.MaxLeverage;
        if (request.Leverage is { } leverage && (!opening || leverage < 1 || leverage > maxLeverage))
        {
            return opening
                ? $"Leverage must be within 1..{maxLeverage}; got {leverage}"
                : "Leverage applies only to an opening order";
        }

        if (request.StopLossFraction is { } fraction && (!opening || fraction <= 0 || fraction >= 1))
        {
            return opening
                ? $"StopLossFraction must be strictly between 0 and 1; got {fraction}"
                : "StopLossFraction applies only to an opening order";
        }

        return null;
    }
}
