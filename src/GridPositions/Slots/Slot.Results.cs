namespace GridPositions.Slots;

internal sealed partial class Slot
{
    /// <summary>Applies a place result if this slot still holds its claim; otherwise says why not.</summary>
    public ResultOutcome ApplyPlaceResult_NeedsLock(in OrderActionResult result, DateTimeOffset? now, ref SlotEffects effects)
    {
        AssertLocked();
        long token = result.Action.ClaimToken;
        bool holdsClaim = _order.ClaimToken == token;
#if FAULT_INJECTION
        holdsClaim |= Diagnostics.FaultInjection.Is(Diagnostics.Fault.NoTokenRevalidation);
#endif
        if (Status != SlotStatus.Free && holdsClaim)
        {
            return result.Outcome switch
            {
                ActionOutcome.Succeeded => ApplyPlaceSucceeded(result, ref effects),
                ActionOutcome.Failed => ApplyPlaceFailed(result, ref effects),
                _ => ApplyPlaceAmbiguous(now, ref effects),
            };
        }

        // The claim is gone. A result for the order the slot last finished is a late duplicate, unless it is a
        // success after a failure freed the slot: then, like any other stale success, an order is live that no slot
        // wants, and the caller must cancel it.
        bool lastOrdersClaim = _lastOrder.ClaimToken == token && token != 0;
        if (lastOrdersClaim && !(result.Outcome == ActionOutcome.Succeeded && _lastOrder.Status == OrderStatus.Unspecified))
        {
            return new ResultOutcome(InputDisposition.Duplicate);
        }

        string detail = $"slot {Price} no longer holds claim {token}";
        if (result.Outcome == ActionOutcome.Succeeded)
        {
            var cancel = result.Action with { Type = OrderActionType.Cancel, OrderId = result.OrderId, ClaimToken = 0 };
            return new ResultOutcome(InputDisposition.Stale, cancel, detail + "; its order went live and must be cancelled");
        }

        return new ResultOutcome(InputDisposition.Stale, null, detail);
    }

    private ResultOutcome ApplyPlaceSucceeded(in OrderActionResult result, ref SlotEffects effects)
    {
        if (_order.OrderId is null)
        {
            _order.OrderId = result.OrderId;
            if (Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
            {
                _status = SlotStatus.Live;
            }

            effects.Changed = true;
            effects.TouchedOrderId = _order.OrderId; // the client id's entry has not changed since the claim made it
            return new ResultOutcome(InputDisposition.Applied);
        }

        if (_order.OrderId == result.OrderId)
        {
            return new ResultOutcome(InputDisposition.Duplicate); // an early update already told us
        }

        effects.Detail = $"slot {Price} order {_order.ClientOrderId} has exchange id {_order.OrderId}, the result says {result.OrderId}";
        return new ResultOutcome(InputDisposition.Rejected, null, effects.Detail);
    }

    private ResultOutcome ApplyPlaceFailed(in OrderActionResult result, ref SlotEffects effects)
    {
        // Stryker disable once Logical,Equality : live paths give an exchange id or a fill only with Live or PendingCancel; these guard a restored slot
        bool reportedIdOrFill = _order.OrderId is not null || _order.FilledQuantity > 0;
        bool exchangeSawIt = reportedIdOrFill || Status is SlotStatus.Live or SlotStatus.PendingCancel;
        if (exchangeSawIt)
        {
            effects.Detail = $"place of {_order.ClientOrderId} reported failed ({result.Error}) but the exchange reported the order; keeping it";
            return new ResultOutcome(InputDisposition.Rejected, null, effects.Detail);
        }

        FinishOrder(OrderStatus.Unspecified, ref effects);
        return new ResultOutcome(InputDisposition.Applied);
    }

    private ResultOutcome ApplyPlaceAmbiguous(DateTimeOffset? now, ref SlotEffects effects)
    {
        if (Status != SlotStatus.PendingPlace)
        {
            return new ResultOutcome(InputDisposition.Duplicate); // an update already resolved it
        }

        BecomeUnknown(now ?? _order.ClaimedAt);
        effects.Changed = true;
        return new ResultOutcome(InputDisposition.Applied);
    }

    /// <summary>Applies a cancel result if this slot still holds the cancel claim.</summary>
    public ResultOutcome ApplyCancelResult_NeedsLock(in OrderActionResult result, ref SlotEffects effects)
    {
        AssertLocked();
        long token = result.Action.ClaimToken;
        if (Status == SlotStatus.PendingCancel && _order.CancelToken == token)
        {
            if (result.Outcome == ActionOutcome.Succeeded)
            {
                if (_order.CancelAccepted)
                {
                    return new ResultOutcome(InputDisposition.Duplicate);
                }

                // The order stays the slot's until its terminal update: fills may still arrive before it.
                _order.CancelAccepted = true;
                effects.Changed = true;
                return new ResultOutcome(InputDisposition.Applied);
            }

            // A failed or ambiguous cancel keeps the order live; an update will say if it was cancelled after all.
            GiveBackCancel();
            effects.Changed = true;
            return new ResultOutcome(InputDisposition.Applied);
        }

        if (_lastOrder.Matches(result.Action.OrderId, result.Action.ClientOrderId))
        {
            return new ResultOutcome(InputDisposition.Duplicate); // the order already finished
        }

        return new ResultOutcome(InputDisposition.Stale, null, $"slot {Price} no longer holds cancel claim {token}");
    }

    /// <summary>Reconciliation found that an ambiguous place never reached the exchange: free the slot.</summary>
    public void ResolveNeverPlaced_NeedsLock(ref SlotEffects effects)
    {
        AssertLocked();
        FinishOrder(OrderStatus.Unspecified, ref effects);
    }
}
