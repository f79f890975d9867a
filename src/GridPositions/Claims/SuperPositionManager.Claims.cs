using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Claims slots for order actions: each accepted request returns the <see cref="OrderAction"/> to send, carrying a
    /// claim token and its client order id; each refused one says why. The client order id is indexed before this
    /// returns, so an order update that beats the place result still finds its slot.
    /// </summary>
    /// <param name="requests">Place or cancel requests. Two requests for one slot in a batch: the second is refused as busy.</param>
    /// <returns>One result per request, in order.</returns>
    /// <remarks>
    /// The check and the claim are one atomic step per slot: of many concurrent claims for a free slot exactly one wins.
    /// A place for the opening side needs a flat slot; a place for the closing side needs the slot to hold at least its
    /// quantity. A cancel needs a live order. A malformed request is refused with <see cref="ClaimRejection.Invalid"/>
    /// and changes nothing. This is the successor of the Go original's <c>MarkSlotsPending</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="requests"/> is null.</exception>
    public IReadOnlyList<ClaimResult> ClaimSlots(IReadOnlyList<ClaimRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ClaimRequest[] batch = [.. requests]; // the caller's list is read here, never under the lock
        var results = new ClaimResult[batch.Length];

        // Leases and claims expire with time; the clock is user code, so it is read here, outside the lock.
        DateTimeOffset now = _time.GetUtcNow();
        var op = new Operation(this);
        try
        {
            using (_book.Enter())
            {
                for (int i = 0; i < results.Length; i++)
                {
                    results[i] = Claim_NeedsGlobalLock(batch[i], now, ref op);
                }
            }

            foreach (ClaimResult result in results)
            {
                _counters.Increment(result.IsAccepted ? Counter.ClaimsAccepted : Counter.ClaimsRejected);
            }
        }
        finally
        {
            op.Dispose(); // a claim is on disk before it is returned
        }

        return results;
    }

    /// <summary>Claims one slot for one request. See <see cref="ClaimSlots"/>.</summary>
    public ClaimResult ClaimSlot(ClaimRequest request) => ClaimSlots([request])[0];

    private ClaimResult Claim_NeedsGlobalLock(in ClaimRequest request, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        if (ValidateClaim(request) is { } problem)
        {
            return ClaimResult.Rejected(request, ClaimRejection.Invalid, problem);
        }

        long key = _grid.GetTicks(request.SlotPrice, nameof(request));
        return request.Type == OrderActionType.Place
            ? ClaimPlace_NeedsGlobalLock(request, key, now, ref op)
            : ClaimCancel_NeedsGlobalLock(request, key, now, ref op);
    }

    private ClaimResult ClaimPlace_NeedsGlobalLock(in ClaimRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        if (request.ClientOrderId is { } requestedId && _book.IsClientIdKnown_NeedsLock(requestedId))
        {
            return ClaimResult.Rejected(request, ClaimRejection.Invalid, $"client order id {requestedId} is already in use");
        }

        // A level never used has no slot yet: check against a new one, and add it to the table only if the claim is
        // accepted, so a refusal leaves no trace.
        bool isNew = !_book.TryGet(key, out Slot? slot);
        slot ??= new Slot(key, _grid.ToPrice(key));
        OrderRole role = RoleOf(request.Side);
        OrderAction action;

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.SplitClaimCheck))
        {
            _book.Add_NeedsLock(slot);
            return ClaimPlaceInTwoSections_NeedsGlobalLock(request, slot, role, now, ref op);
        }
#endif

        // Check and claim in one slot-lock section: no other claim, result or update can come between them.
        using (slot.Enter())
        {
            LapseClaims_NeedsSlotLock(slot, now, ref op);
            ClaimRejection rejection = ClosingLease_NeedsSlotLock(slot, now, out string? detail);
            if (rejection == ClaimRejection.None)
            {
                rejection = slot.CheckPlace_NeedsLock(role, request.Quantity, out detail);
            }

            // Off the quantity step is refused, except a close of exactly what the slot holds: an off-step fill can
            // never leave a position that cannot be flattened.
            if (rejection == ClaimRejection.None && !_grid.IsOnStep(request.Quantity) && !(role == OrderRole.Close && request.Quantity == slot.Position.Inventory))
            {
                (rejection, detail) = (ClaimRejection.Invalid, "Quantity: " + _grid.DescribeBadQuantity(request.Quantity) + (role == OrderRole.Close ? $" (a close off the step must be for exactly the {slot.Position.Inventory} the slot holds)" : ""));
            }

            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }

            string clientOrderId = request.ClientOrderId ?? _book.NextClientOrderId_NeedsLock();
            action = new OrderAction(OrderActionType.Place, slot.Price, request.Side, request.Price, request.Quantity, clientOrderId, null, _book.TakeClaimToken_NeedsLock());
            slot.BeginOrder_NeedsLock(action, role, now);
            if (role == OrderRole.Open)
            {
                slot.SetPositionParameters_NeedsLock(request.Leverage, request.StopLossFraction);
            }

            SlotChanged_NeedsSlotLock(slot, ref op);
        }

        if (isNew)
        {
            _book.Add_NeedsLock(slot);
        }

        _book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
        if (_book.ParkedCount_NeedsLock() > 0)
        {
            TakeParked_NeedsGlobalLock(action.ClientOrderId, null, ref op);
        }

        return ClaimResult.Accepted(request, action);
    }

#if FAULT_INJECTION
    /// <summary>The injected bug: check, let go of every lock, then claim without checking again.</summary>
    private ClaimResult ClaimPlaceInTwoSections_NeedsGlobalLock(in ClaimRequest request, Slot slot, OrderRole role, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        using (slot.Enter())
        {
            ClaimRejection rejection = slot.CheckPlace_NeedsLock(role, request.Quantity, out string? detail);
            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }
        }

        _book.ExitForFault();
        _book.EnterForFault();
        OrderAction action;
        using (slot.Enter())
        {
            string clientOrderId = request.ClientOrderId ?? _book.NextClientOrderId_NeedsLock();
            action = new OrderAction(OrderActionType.Place, slot.Price, request.Side, request.Price, request.Quantity, clientOrderId, null, _book.TakeClaimToken_NeedsLock());
            slot.BeginOrder_NeedsLock(action, role, now);
            SlotChanged_NeedsSlotLock(slot, ref op);
        }

        _book.IndexClientId_NeedsLock(action.ClientOrderId, slot);
        return ClaimResult.Accepted(request, action);
    }
#endif

    private ClaimResult ClaimCancel_NeedsGlobalLock(in ClaimRequest request, long key, DateTimeOffset now, ref Operation op)
    {
        AssertGlobalLock();
        if (!_book.TryGet(key, out Slot? slot))
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
                rejection = slot.TryClaimCancel_NeedsLock(_book.PeekClaimToken_NeedsLock(), now, leaseToken: 0, out action, out detail);
            }

            if (rejection != ClaimRejection.None)
            {
                return ClaimResult.Rejected(request, rejection, detail!);
            }

            _book.TakeClaimToken_NeedsLock();
            SlotChanged_NeedsSlotLock(slot, ref op);
            return ClaimResult.Accepted(request, action);
        }
    }

    /// <summary>Ends the slot's claims that outlived their lease or the pending-claim timeout, recording the change.</summary>
    private void LapseClaims_NeedsSlotLock(Slot slot, DateTimeOffset now, ref Operation op)
    {
        AssertSlotLock(slot);
        if (!slot.LapseClaims_NeedsLock(now, Settings.PendingClaimTimeout))
        {
            return;
        }

        _counters.Increment(Counter.ClaimsLapsed);
        SlotChanged_NeedsSlotLock(slot, ref op);
    }

    /// <summary>Strategy claims wait while a close lease holds the slot's position; only its holder acts on it.</summary>
    private static ClaimRejection ClosingLease_NeedsSlotLock(Slot slot, DateTimeOffset now, out string? detail)
    {
        AssertSlotLock(slot);
        bool closing = slot.Lease.Kind == LeaseKind.Close && slot.Lease.IsHeld(now);
        detail = closing ? $"slot {slot.Price}'s position is being closed under lease {slot.Lease.Token}" : null;
        return closing ? ClaimRejection.PositionLeased : ClaimRejection.None;
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
            return null;
        }

        if (request.Side is not (OrderSide.Buy or OrderSide.Sell))
        {
            return $"Side must be Buy or Sell; got {request.Side}";
        }

        if (!_grid.TryGetTicks(request.Price, out _))
        {
            return "Price: " + _grid.DescribeBadPrice(request.Price);
        }

        // The step is checked with the slot (a close of exactly an off-step inventory is allowed); the rest here.
        if (request.Quantity <= 0 || request.Quantity > Fills.Amounts.Max)
        {
            return "Quantity: " + _grid.DescribeBadQuantity(request.Quantity);
        }

        if (!Fills.Amounts.ProductFits(request.Price, request.Quantity))
        {
            return $"Price x Quantity ({request.Price} x {request.Quantity}) is beyond the bound of {Fills.Amounts.Max:N0}";
        }

        if (request.ClientOrderId is { } id && string.IsNullOrWhiteSpace(id))
        {
            return "ClientOrderId must be null (generated) or not blank";
        }

        bool opening = request.Side == _openingSide;
        if (request.Leverage is { } leverage && (!opening || leverage < 1 || leverage > Settings.MaxLeverage))
        {
            return opening
                ? $"Leverage must be within 1..{Settings.MaxLeverage}; got {leverage}"
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
