using GridPositions.Fills;

namespace GridPositions.Slots;

internal sealed partial class Slot
{
    /// <summary>
    /// Applies an update routed to this slot: books only the growth of the cumulative fill, makes terminal states
    /// final and frees the slot on them. <paramref name="sign"/> is +1 for a long grid, -1 for a short one.
    /// </summary>
    /// <remarks><paramref name="fee"/> is the asset <see cref="OrderUpdate.FeeAsset"/> names, resolved by the manager's options.</remarks>
    public InputDisposition ApplyUpdate_NeedsLock(in OrderUpdate update, int sign, FeeCharge fee, ref SlotEffects effects)
    {
        AssertLocked();
        if (Status == SlotStatus.Free || !_order.Matches(update.OrderId, update.ClientOrderId))
        {
            return ClassifyForeignUpdate(update, ref effects);
        }

        if ((update.OrderId is not null && _order.OrderId is not null && update.OrderId != _order.OrderId)
            || (update.ClientOrderId is not null && update.ClientOrderId != _order.ClientOrderId))
        {
            effects.Detail = $"update ids ({update.OrderId}, {update.ClientOrderId}) conflict with slot {Price} order ({_order.OrderId}, {_order.ClientOrderId})";
            return InputDisposition.Rejected;
        }

        if (update.CumulativeFilledQuantity > _order.Quantity)
        {
            effects.Detail = $"overfill: order {_order.ClientOrderId} of {_order.Quantity} reported {update.CumulativeFilledQuantity} filled";
            effects.Overfill = true;
            return InputDisposition.Rejected;
        }

        // The fill first: if it cannot be booked, the update is rejected before anything else changes.
        if (BookFill(update, sign, fee, ref effects) is { } problem)
        {
            effects.Detail = problem;
            return InputDisposition.Rejected;
        }

        if (_order.OrderId is null && update.OrderId is not null)
        {
            _order.OrderId = update.OrderId;
            effects.Changed = true;
            effects.TouchedOrderId = _order.OrderId; // the client id's entry has not changed since the claim made it
        }

        if (IsTerminal(update.Status))
        {
            FinishOrder(update.Status, ref effects);
        }
        else if (Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
        {
            _status = SlotStatus.Live;
            effects.Changed = true;
        }

        return effects.Changed ? InputDisposition.Applied : InputDisposition.Duplicate;
    }

    private InputDisposition ClassifyForeignUpdate(in OrderUpdate update, ref SlotEffects effects)
    {
        if (!_lastOrder.Matches(update.OrderId, update.ClientOrderId))
        {
            return InputDisposition.Stale;
        }

        // The same rule as for the live order: an update naming this order by one id and another order by the other.
        if ((update.OrderId is not null && _lastOrder.OrderId is not null && update.OrderId != _lastOrder.OrderId)
            || (update.ClientOrderId is not null && update.ClientOrderId != _lastOrder.ClientOrderId))
        {
            effects.Detail = $"update ids ({update.OrderId}, {update.ClientOrderId}) conflict with slot {Price}'s finished order ({_lastOrder.OrderId}, {_lastOrder.ClientOrderId})";
            return InputDisposition.Rejected;
        }

        if (update.CumulativeFilledQuantity > _lastOrder.FilledQuantity)
        {
            effects.Detail = $"order {_lastOrder.ClientOrderId} finished {_lastOrder.Status} with {_lastOrder.FilledQuantity} filled, but an update reports {update.CumulativeFilledQuantity}";
            return InputDisposition.Rejected;
        }

        if (_lastOrder.Status == OrderStatus.Unspecified && !IsTerminal(update.Status))
        {
            effects.Detail = $"order {_lastOrder.ClientOrderId} was reported failed by the executor, but the exchange reports it {update.Status}";
            return InputDisposition.Rejected;
        }

        return InputDisposition.Duplicate;
    }

    /// <summary>
    /// Books the growth of the order's cumulative fill, if it grew, with the growth of its fee in the fee's asset. The
    /// arithmetic runs on a copy of the position that is committed whole, so an update that cannot be booked (notional
    /// that did not grow, a fee in another asset than the order's, a base fee the fill or the inventory cannot pay,
    /// overflow) changes nothing.
    /// </summary>
    /// <returns>Null when booked or when there is no growth to book, otherwise why the update is rejected.</returns>
    private string? BookFill(in OrderUpdate update, int sign, FeeCharge charge, ref SlotEffects effects)
    {
        // Both are within the bound, so the difference is exact; its sign costs no comparison.
        decimal quantity = update.CumulativeFilledQuantity - _order.FilledQuantity;
        if (decimal.Sign(quantity) <= 0)
        {
            return null; // a repeat or a trailing report: nothing to book
        }

        // One order's fees are in one asset: its cumulative fee means nothing against another asset's. An order restored
        // from before fees had assets has a fee but no kind: its fees were in the quote asset.
        FeeAssetKind paidIn = _order.FeeKind == FeeAssetKind.Unspecified ? FeeAssetKind.Quote : _order.FeeKind;
        if (_order.FilledFee != 0 && (charge.Kind != paidIn || charge.Asset != _order.FeeAsset))
        {
            return $"order {_order.ClientOrderId}: its fees so far are {_order.FilledFee} in {new FeeCharge(paidIn, _order.FeeAsset)}, but an update reports them in {charge}";
        }

        decimal cumulativeQuote, notional, fee, realized = 0;
        RoundTrip? trip = null;
        try
        {
            cumulativeQuote = update.CumulativeQuoteQuantity ?? (_order.Price * update.CumulativeFilledQuantity);
#if FAULT_INJECTION
            if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.FillByStatus) && update.Status == OrderStatus.Filled)
            {
                quantity = _order.Quantity;
            }
#endif
            notional = cumulativeQuote - _order.FilledQuote;
            if (notional <= 0)
            {
                return $"order {_order.ClientOrderId}: cumulative notional went from {_order.FilledQuote} to {cumulativeQuote} while the fill grew to {update.CumulativeFilledQuantity}";
            }

            fee = update.CumulativeFee - _order.FilledFee;
            decimal quoteFee = charge.Kind == FeeAssetKind.Quote ? fee : 0m, baseFee = charge.Kind == FeeAssetKind.Base ? fee : 0m;
            if (baseFee < 0 || baseFee > quantity)
            {
                return $"order {_order.ClientOrderId}: a base-asset fee of {baseFee} on a fill of {quantity}; a base fee is paid out of what was traded, so it is between zero and the fill";
            }

            decimal inventoryAfter = _position.InventoryAfter(_order.Role, quantity, baseFee, sign);
            if (inventoryAfter < 0)
            {
                return $"order {_order.ClientOrderId}: a closing fill of {quantity} with a base-asset fee of {baseFee} takes more than the {_position.Inventory} the slot holds";
            }

            // An opening fill is booked as entry cost of what it holds: a base fee that takes all of it would hold nothing
            // at a cost, so the slot's first fill must leave something (fees are a small share of a fill).
            if (_order.Role == OrderRole.Open && inventoryAfter == 0)
            {
                return $"order {_order.ClientOrderId}: an opening fill of {quantity} whose base-asset fee of {baseFee} takes all of it; nothing would be held for its cost";
            }

            // A short grid's opening sell owes its base fee too, so the position can outgrow the order by it.
            if (!Amounts.Fits(inventoryAfter))
            {
                return $"order {_order.ClientOrderId}: a fill of {quantity} with a base-asset fee of {baseFee} would hold {inventoryAfter}, beyond the bound of {Amounts.Max:N0}";
            }

            // The other asset's new total first, then Open or Close, which store nothing unless all their arithmetic succeeds.
            AssetAmount[]? otherFees = charge.Kind == FeeAssetKind.Other && fee != 0 ? AssetAmounts.Add(_position.OtherFees, charge.Asset!, fee) : _position.OtherFees;
            if (_order.Role == OrderRole.Open)
            {
                _position.Open(quantity, notional, quoteFee, baseFee, sign);
            }
            else
            {
                realized = _position.Close(quantity, notional, quoteFee, baseFee, sign);
                if (_position.IsFlat)
                {
                    trip = _position.CompleteRoundTrip(sign);
                }
            }

            _position.OtherFees = otherFees;
        }
        catch (OverflowException)
        {
            return $"order {_order.ClientOrderId}: the update's amounts overflow decimal arithmetic";
        }

        if (_order.Role == OrderRole.Close && _position.IsFlat)
        {
            // The position is closed: its targets go, and a close lease is complete.
            ClearPositionTargets_NeedsLock();
            if (_lease.Kind == LeaseKind.Close)
            {
                _lease = default;
            }
        }

        _order.FilledQuantity = update.CumulativeFilledQuantity;
        _order.FilledQuote = cumulativeQuote;
        _order.FilledFee = update.CumulativeFee;
        if (update.CumulativeFee != 0)
        {
            (_order.FeeKind, _order.FeeAsset) = (charge.Kind, charge.Asset);
        }

        effects.CompletedTrip = trip;
        effects.Changed = true;
        effects.HasFill = true;
        effects.FillQuantity = quantity;
        effects.FillNotional = notional;
        effects.FillFee = fee;
        effects.FillFeeCharge = charge;
        effects.FillRealizedPnl = realized;
        effects.FillSide = _order.Side; // kept for the event: a terminal update clears the order right after
        effects.FillRole = _order.Role;
        effects.FillClientOrderId = _order.ClientOrderId;
        effects.FillOrderId = _order.OrderId ?? update.OrderId;
        return null;
    }

    /// <summary>Releases the order: the slot becomes free, keeping whatever inventory the order's fills booked.</summary>
    private void FinishOrder(OrderStatus status, ref SlotEffects effects)
    {
        _lastOrder = new FinishedOrderState
        {
            ClaimToken = _order.ClaimToken,
            ClientOrderId = _order.ClientOrderId,
            OrderId = _order.OrderId,
            Status = status,
            FilledQuantity = _order.FilledQuantity,
        };
        effects.TouchedClientOrderId = _order.ClientOrderId;
        effects.TouchedOrderId = _order.OrderId;
        effects.Changed = true;
        _order = default;
        _status = SlotStatus.Free;
        if (_position.IsFlat)
        {
            ClearPositionTargets_NeedsLock(); // no position came of it, or it is closed
        }
    }

    public static bool IsTerminal(OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Rejected or OrderStatus.Expired;
}
