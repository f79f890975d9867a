using System.Diagnostics;
using GridPositions.Fills;

namespace GridPositions.Slots;

/// <summary>
/// One grid level: its current order, its position and the last order it finished. Every rule about how a claim,
/// an action result or an order update changes one slot lives here.
/// </summary>
internal sealed class Slot
{
    /// <summary>
    /// Level 2 of 2. Guards every mutable field of this slot. May be taken while holding the manager's lock; the
    /// manager's lock must never be taken while holding this one, and no two slot locks are held at once.
    /// </summary>
    public readonly object Sync = new();

    public Slot(long key, decimal price)
    {
        Key = key;
        Price = price;
    }

    public long Key { get; }

    public decimal Price { get; }

    public SlotStatus Status = SlotStatus.Free;
    public OrderState Order;
    public PositionBook Position;
    public FinishedOrderState LastOrder;

    // ---- Claims -------------------------------------------------------------------------------------------------

    /// <summary>Whether a place of <paramref name="quantity"/> in <paramref name="role"/> may claim this slot now.</summary>
    public ClaimRejection CheckPlace_NeedsLock(OrderRole role, decimal quantity, out string? detail)
    {
        AssertLocked();
        detail = null;
        if (Status != SlotStatus.Free)
        {
            detail = $"slot {Price} is busy ({Status}) with order {Order.ClientOrderId}";
            return ClaimRejection.SlotBusy;
        }

        if (role == OrderRole.Open && !Position.IsFlat)
        {
            detail = $"slot {Price} already holds {Position.Inventory}; only a closing order is allowed";
            return ClaimRejection.PositionAlreadyOpen;
        }

        if (role == OrderRole.Close && quantity > Position.Inventory)
        {
            detail = $"closing {quantity} would oversell slot {Price}, which holds {Position.Inventory}";
            return ClaimRejection.WouldOversell;
        }

        return ClaimRejection.None;
    }

    /// <summary>Makes <paramref name="action"/> the slot's order. Call only after <see cref="CheckPlace_NeedsLock"/> accepted it, in the same lock section.</summary>
    public void BeginOrder_NeedsLock(in OrderAction action, OrderRole role)
    {
        AssertLocked();
        if (Status != SlotStatus.Free)
        {
            // Impossible when the claim was checked in this lock section; never overwrite a live order quietly.
            throw new InvalidOperationException($"Thread-safety bug detected: slot {Price} claimed while {Status} with order {Order.ClientOrderId}.");
        }

        Order = new OrderState
        {
            ClaimToken = action.ClaimToken,
            ClientOrderId = action.ClientOrderId,
            Side = action.Side,
            Role = role,
            Price = action.Price,
            Quantity = action.Quantity,
        };
        Status = SlotStatus.PendingPlace;
    }

    /// <summary>Claims the live order for a cancel under <paramref name="token"/>.</summary>
    public ClaimRejection TryClaimCancel_NeedsLock(long token, out OrderAction action, out string? detail)
    {
        AssertLocked();
        action = default;
        detail = null;
        switch (Status)
        {
            case SlotStatus.Free:
                detail = $"slot {Price} has no order to cancel";
                return ClaimRejection.NothingToCancel;
            case SlotStatus.PendingCancel:
                detail = $"slot {Price} already has a cancel in flight for order {Order.ClientOrderId}";
                return ClaimRejection.SlotBusy;
            case SlotStatus.PendingPlace:
            case SlotStatus.Unknown:
                detail = $"slot {Price} order {Order.ClientOrderId} is not known to be live yet ({Status})";
                return ClaimRejection.SlotBusy;
        }

        Order.CancelToken = token;
        Order.CancelAccepted = false;
        Status = SlotStatus.PendingCancel;
        action = new OrderAction(OrderActionType.Cancel, Price, Order.Side, Order.Price, Order.Quantity, Order.ClientOrderId, Order.OrderId, token);
        return ClaimRejection.None;
    }

    // ---- Action results (phase 2) ---------------------------------------------------------------------------------

    /// <summary>Applies a place result if this slot still holds its claim; otherwise says why not.</summary>
    public ResultOutcome ApplyPlaceResult_NeedsLock(in OrderActionResult result, ref SlotEffects effects)
    {
        AssertLocked();
        long token = result.Action.ClaimToken;
        bool holdsClaim = Order.ClaimToken == token;
#if FAULT_INJECTION
        holdsClaim |= Diagnostics.FaultInjection.Is(Diagnostics.Fault.NoTokenRevalidation);
#endif
        if (Status != SlotStatus.Free && holdsClaim)
        {
            return result.Outcome switch
            {
                ActionOutcome.Succeeded => ApplyPlaceSucceeded(result, ref effects),
                ActionOutcome.Failed => ApplyPlaceFailed(result, ref effects),
                _ => ApplyPlaceAmbiguous(ref effects),
            };
        }

        // The claim is gone. A result for the order the slot last finished is a late duplicate, unless it is a
        // success after a failure freed the slot: then, like any other stale success, an order is live that no slot
        // wants, and the caller must cancel it.
        bool lastOrdersClaim = LastOrder.ClaimToken == token && token != 0;
        if (lastOrdersClaim && !(result.Outcome == ActionOutcome.Succeeded && LastOrder.Status == OrderStatus.Unspecified))
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
        if (Order.OrderId is null)
        {
            Order.OrderId = result.OrderId;
            if (Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
            {
                Status = SlotStatus.Live;
            }

            effects.Changed = true;
            effects.TouchedClientOrderId = Order.ClientOrderId;
            effects.TouchedOrderId = Order.OrderId;
            return new ResultOutcome(InputDisposition.Applied);
        }

        if (Order.OrderId == result.OrderId)
        {
            return new ResultOutcome(InputDisposition.Duplicate); // an early update already told us
        }

        effects.Detail = $"slot {Price} order {Order.ClientOrderId} has exchange id {Order.OrderId}, the result says {result.OrderId}";
        return new ResultOutcome(InputDisposition.Rejected, null, effects.Detail);
    }

    private ResultOutcome ApplyPlaceFailed(in OrderActionResult result, ref SlotEffects effects)
    {
        bool exchangeSawIt = Order.OrderId is not null || Order.FilledQuantity > 0 || Status is SlotStatus.Live or SlotStatus.PendingCancel;
        if (exchangeSawIt)
        {
            effects.Detail = $"place of {Order.ClientOrderId} reported failed ({result.Error}) but the exchange reported the order; keeping it";
            return new ResultOutcome(InputDisposition.Rejected, null, effects.Detail);
        }

        FinishOrder(OrderStatus.Unspecified, ref effects);
        return new ResultOutcome(InputDisposition.Applied);
    }

    private ResultOutcome ApplyPlaceAmbiguous(ref SlotEffects effects)
    {
        if (Status != SlotStatus.PendingPlace)
        {
            return new ResultOutcome(InputDisposition.Duplicate); // an update already resolved it
        }

        Status = SlotStatus.Unknown;
        effects.Changed = true;
        return new ResultOutcome(InputDisposition.Applied);
    }

    /// <summary>Applies a cancel result if this slot still holds the cancel claim.</summary>
    public ResultOutcome ApplyCancelResult_NeedsLock(in OrderActionResult result, ref SlotEffects effects)
    {
        AssertLocked();
        long token = result.Action.ClaimToken;
        if (Status == SlotStatus.PendingCancel && Order.CancelToken == token)
        {
            if (result.Outcome == ActionOutcome.Succeeded)
            {
                if (Order.CancelAccepted)
                {
                    return new ResultOutcome(InputDisposition.Duplicate);
                }

                // The order stays the slot's until its terminal update: fills may still arrive before it.
                Order.CancelAccepted = true;
                effects.Changed = true;
                return new ResultOutcome(InputDisposition.Applied);
            }

            // A failed or ambiguous cancel keeps the order live; an update will say if it was cancelled after all.
            Order.CancelToken = 0;
            Order.CancelAccepted = false;
            Status = SlotStatus.Live;
            effects.Changed = true;
            return new ResultOutcome(InputDisposition.Applied);
        }

        if (LastOrder.Matches(result.Action.OrderId, result.Action.ClientOrderId))
        {
            return new ResultOutcome(InputDisposition.Duplicate); // the order already finished
        }

        return new ResultOutcome(InputDisposition.Stale, null, $"slot {Price} no longer holds cancel claim {token}");
    }

    // ---- Order updates (phase 2) ----------------------------------------------------------------------------------

    /// <summary>
    /// Applies an update routed to this slot: books only the growth of the cumulative fill, makes terminal states
    /// final and frees the slot on them. <paramref name="sign"/> is +1 for a long grid, -1 for a short one.
    /// </summary>
    public InputDisposition ApplyUpdate_NeedsLock(in OrderUpdate update, int sign, ref SlotEffects effects)
    {
        AssertLocked();
        if (Status == SlotStatus.Free || !Order.Matches(update.OrderId, update.ClientOrderId))
        {
            return ClassifyForeignUpdate(update, ref effects);
        }

        if ((update.OrderId is not null && Order.OrderId is not null && update.OrderId != Order.OrderId)
            || (update.ClientOrderId is not null && update.ClientOrderId != Order.ClientOrderId))
        {
            effects.Detail = $"update ids ({update.OrderId}, {update.ClientOrderId}) conflict with slot {Price} order ({Order.OrderId}, {Order.ClientOrderId})";
            return InputDisposition.Rejected;
        }

        if (update.CumulativeFilledQuantity > Order.Quantity)
        {
            effects.Detail = $"overfill: order {Order.ClientOrderId} of {Order.Quantity} reported {update.CumulativeFilledQuantity} filled";
            effects.Overfill = true;
            return InputDisposition.Rejected;
        }

        // The fill first: if it cannot be booked, the update is rejected before anything else changes.
        if (update.CumulativeFilledQuantity > Order.FilledQuantity && BookFill(update, sign, ref effects) is { } problem)
        {
            effects.Detail = problem;
            return InputDisposition.Rejected;
        }

        if (Order.OrderId is null && update.OrderId is not null)
        {
            Order.OrderId = update.OrderId;
            effects.Changed = true;
            effects.TouchedClientOrderId = Order.ClientOrderId;
            effects.TouchedOrderId = Order.OrderId;
        }

        if (IsTerminal(update.Status))
        {
            FinishOrder(update.Status, ref effects);
        }
        else if (Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
        {
            Status = SlotStatus.Live;
            effects.Changed = true;
        }

        return effects.Changed ? InputDisposition.Applied : InputDisposition.Duplicate;
    }

    private InputDisposition ClassifyForeignUpdate(in OrderUpdate update, ref SlotEffects effects)
    {
        if (!LastOrder.Matches(update.OrderId, update.ClientOrderId))
        {
            return InputDisposition.Stale;
        }

        if (update.CumulativeFilledQuantity > LastOrder.FilledQuantity)
        {
            effects.Detail = $"order {LastOrder.ClientOrderId} finished {LastOrder.Status} with {LastOrder.FilledQuantity} filled, but an update reports {update.CumulativeFilledQuantity}";
            return InputDisposition.Rejected;
        }

        if (LastOrder.Status == OrderStatus.Unspecified && !IsTerminal(update.Status))
        {
            effects.Detail = $"order {LastOrder.ClientOrderId} was reported failed by the executor, but the exchange reports it {update.Status}";
            return InputDisposition.Rejected;
        }

        return InputDisposition.Duplicate;
    }

    /// <summary>
    /// Books the growth of the order's cumulative fill. The arithmetic runs on a copy of the position that is committed
    /// whole, so an update that cannot be booked (notional that did not grow, overflow) changes nothing.
    /// </summary>
    /// <returns>Null when booked, otherwise why the update is rejected.</returns>
    private string? BookFill(in OrderUpdate update, int sign, ref SlotEffects effects)
    {
        PositionBook next = Position;
        decimal cumulativeQuote, quantity, notional, fee, realized = 0;
        RoundTrip? trip = null;
        try
        {
            cumulativeQuote = update.CumulativeQuoteQuantity ?? (Order.Price * update.CumulativeFilledQuantity);
            quantity = update.CumulativeFilledQuantity - Order.FilledQuantity;
#if FAULT_INJECTION
            if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.FillByStatus) && update.Status == OrderStatus.Filled)
            {
                quantity = Order.Quantity;
            }
#endif
            notional = cumulativeQuote - Order.FilledQuote;
            if (notional <= 0)
            {
                return $"order {Order.ClientOrderId}: cumulative notional went from {Order.FilledQuote} to {cumulativeQuote} while the fill grew to {update.CumulativeFilledQuantity}";
            }

            fee = update.CumulativeFee - Order.FilledFee;
            if (Order.Role == OrderRole.Open)
            {
                next.Open(quantity, notional, fee);
            }
            else
            {
                realized = next.Close(quantity, notional, fee, sign);
                if (next.IsFlat)
                {
                    trip = next.CompleteRoundTrip(sign);
                }
            }
        }
        catch (OverflowException)
        {
            return $"order {Order.ClientOrderId}: the update's amounts overflow decimal arithmetic";
        }

        Position = next;
        Order.FilledQuantity = update.CumulativeFilledQuantity;
        Order.FilledQuote = cumulativeQuote;
        Order.FilledFee = update.CumulativeFee;
        effects.CompletedTrip = trip;
        effects.Changed = true;
        effects.HasFill = true;
        effects.FillSide = Order.Side;
        effects.FillRole = Order.Role;
        effects.FillQuantity = quantity;
        effects.FillNotional = notional;
        effects.FillFee = fee;
        effects.FillRealizedPnl = realized;
        effects.FillClientOrderId = Order.ClientOrderId;
        effects.FillOrderId = Order.OrderId ?? update.OrderId;
        return null;
    }

    /// <summary>Releases the order: the slot becomes free, keeping whatever inventory the order's fills booked.</summary>
    private void FinishOrder(OrderStatus status, ref SlotEffects effects)
    {
        LastOrder = new FinishedOrderState
        {
            ClaimToken = Order.ClaimToken,
            ClientOrderId = Order.ClientOrderId,
            OrderId = Order.OrderId,
            Status = status,
            FilledQuantity = Order.FilledQuantity,
        };
        effects.TouchedClientOrderId = Order.ClientOrderId;
        effects.TouchedOrderId = Order.OrderId;
        effects.Changed = true;
        Order = default;
        Status = SlotStatus.Free;
    }

    public static bool IsTerminal(OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Rejected or OrderStatus.Expired;

    // ---- Reading ----------------------------------------------------------------------------------------------------

    public SlotView ToView_NeedsLock()
    {
        AssertLocked();
        OrderView? order = Status == SlotStatus.Free
            ? null
            : new OrderView(
                Order.ClientOrderId,
                Order.OrderId,
                Order.Side,
                Order.Role,
                Order.Price,
                Order.Quantity,
                Order.FilledQuantity,
                Order.ClaimToken,
                Status == SlotStatus.PendingCancel);
        return new SlotView(Price, Status, order, Position.Inventory, Position.EntryNotional, Position.EntryFees, Position.RealizedPnl, Position.RoundTrips);
    }

    [Conditional("DEBUG")]
    private void AssertLocked() => Debug.Assert(Monitor.IsEntered(Sync), "the slot's lock must be held");
}
