using GridPositions.Fills;

namespace GridPositions.Slots;

internal sealed partial class Slot
{
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
            effects.TouchedOrderId = Order.OrderId; // the client id's entry has not changed since the claim made it
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

        // The same rule as for the live order: an update naming this order by one id and another order by the other.
        if ((update.OrderId is not null && LastOrder.OrderId is not null && update.OrderId != LastOrder.OrderId)
            || (update.ClientOrderId is not null && update.ClientOrderId != LastOrder.ClientOrderId))
        {
            effects.Detail = $"update ids ({update.OrderId}, {update.ClientOrderId}) conflict with slot {Price}'s finished order ({LastOrder.OrderId}, {LastOrder.ClientOrderId})";
            return InputDisposition.Rejected;
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

            // Open and Close store nothing unless all their arithmetic succeeds.
            fee = update.CumulativeFee - Order.FilledFee;
            if (Order.Role == OrderRole.Open)
            {
                Position.Open(quantity, notional, fee);
            }
            else
            {
                realized = Position.Close(quantity, notional, fee, sign);
                if (Position.IsFlat)
                {
                    trip = Position.CompleteRoundTrip(sign);
                }
            }
        }
        catch (OverflowException)
        {
            return $"order {Order.ClientOrderId}: the update's amounts overflow decimal arithmetic";
        }

        if (Order.Role == OrderRole.Close && Position.IsFlat)
        {
            // The position is closed: its targets go, and a close lease is complete.
            ClearPositionTargets_NeedsLock();
            if (Lease.Kind == LeaseKind.Close)
            {
                Lease = default;
            }
        }

        Order.FilledQuantity = update.CumulativeFilledQuantity;
        Order.FilledQuote = cumulativeQuote;
        Order.FilledFee = update.CumulativeFee;
        effects.CompletedTrip = trip;
        effects.Changed = true;
        effects.HasFill = true;
        effects.FillQuantity = quantity;
        effects.FillNotional = notional;
        effects.FillFee = fee;
        effects.FillRealizedPnl = realized;
        effects.FillSide = Order.Side; // kept for the event: a terminal update clears the order right after
        effects.FillRole = Order.Role;
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
        if (Position.IsFlat)
        {
            ClearPositionTargets_NeedsLock(); // no position came of it, or it is closed
        }
    }

    public static bool IsTerminal(OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Rejected or OrderStatus.Expired;
}
