using GridPositions.Fills;

namespace GridPositions.Slots;

internal sealed partial class Slot
{
    /// <summary>The most trades one order may have: each is kept by id to deduplicate them, in an array copied on every trade.</summary>
    public const int MaxTradesPerOrder = 1000;

    /// <summary>
    /// Applies an update routed to this slot: books only what its cumulative totals or its trade add to the order's
    /// booked fill, makes terminal states final and frees the slot on them. <paramref name="sign"/> is +1 for a long
    /// grid, -1 for a short one.
    /// </summary>
    /// <remarks>
    /// <paramref name="fee"/> is the asset <see cref="OrderUpdate.FeeAsset"/> names, resolved by the manager's options.
    /// Fees are booked from the source the order was claimed with (<see cref="OrderState.FeesPerTrade"/>).
    /// </remarks>
    public InputDisposition ApplyUpdate_NeedsLock(in OrderUpdate update, int sign, FeeCharge fee, ref SlotEffects effects)
    {
        AssertLocked();
        if (Status == SlotStatus.Free || !_order.Matches(update.OrderId, update.ClientOrderId))
        {
            return ClassifyForeignUpdate(update, sign, fee, ref effects);
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
        if (BookFill(ref _order, finished: false, update, sign, fee, ref effects) is { } problem)
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
        else if (_order.FeesPerTrade && update.Status == OrderStatus.Unspecified && _order.FilledQuantity == _order.Quantity)
        {
            // Trades that fill the whole order end it when they carry its fees: nothing more is owed to it. With cumulative
            // fees the order waits for its terminal report, which carries them (the slot must not move on before).
            FinishOrder(OrderStatus.Filled, ref effects);
        }
        else if (Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
        {
            _status = SlotStatus.Live;
            effects.Changed = true;
        }

        return effects.Changed ? InputDisposition.Applied : InputDisposition.Duplicate;
    }

    private InputDisposition ClassifyForeignUpdate(in OrderUpdate update, int sign, FeeCharge fee, ref SlotEffects effects)
    {
        if (!_lastOrder.Matches(update.OrderId, update.ClientOrderId))
        {
            // An order before the slot's last one: its fill was booked, but a trade's fee cannot be, nor told from one
            // already booked. Dropping it as stale would lose money without a word.
            if (update.Trade is { Fee: not 0m } late)
            {
                effects.Detail = $"trade {late.TradeId} of order ({update.OrderId}, {update.ClientOrderId}) arrived after slot {Price} finished a later order: its fee of {late.Fee} in {fee} is not booked; reconcile the fees with the exchange";
                return InputDisposition.Rejected;
            }

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
            effects.Detail = $"order {_lastOrder.ClientOrderId} was reported failed by the executor, but the exchange reports it {(update.Status == OrderStatus.Unspecified ? "trading" : update.Status)}";
            return InputDisposition.Rejected;
        }

        // A finished order's trades and fees may still arrive (the trade stream trails the order stream): they are
        // booked, but never more quantity than it finished with.
        if (BookFill(ref _lastOrder.Order, finished: true, update, sign, fee, ref effects) is { } problem)
        {
            effects.Detail = problem;
            return InputDisposition.Rejected;
        }

        return effects.Changed ? InputDisposition.Applied : InputDisposition.Duplicate;
    }

    /// <summary>
    /// Books what an update adds to <paramref name="order"/> (the live order, or with <paramref name="finished"/> the
    /// last one): the growth of its fill to whichever source is ahead by quantity (the report's cumulative totals, or the
    /// sum of its trades with this one), and the growth of its fee from the order's one fee source. The arithmetic runs on
    /// copies committed whole, so an update that cannot be booked (notional that did not grow, a fee in another asset
    /// than the order's, a base fee the fill or the inventory cannot pay, overflow) changes nothing.
    /// </summary>
    /// <returns>Null when booked or when there is nothing to book, otherwise why the update is rejected.</returns>
    private string? BookFill(ref OrderState order, bool finished, in OrderUpdate update, int sign, FeeCharge charge, ref SlotEffects effects)
    {
        bool feesPerTrade = order.FeesPerTrade; // as claimed: the options may have changed since the order finished
        bool reports = update.Status != OrderStatus.Unspecified; // cumulative totals, not only a trade
        TradeFill? trade = update.Trade;
        bool newTrade = trade is not null && (order.TradeIds is null || Array.IndexOf(order.TradeIds, trade.TradeId) < 0);
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.TradeDedupBeforeLock) && trade is not null && !finished)
        {
            newTrade = !Diagnostics.FaultInjection.TradeSeenBeforeLock; // the injected bug: trust what was read before the lock
        }
#endif
        bool reportAhead = reports && update.CumulativeFilledQuantity > order.ReportedQuantity;
        if (!newTrade && !reportAhead)
        {
            return null; // a repeat, an older report or a known trade: nothing to book
        }

        if (finished && !order.IsWhole)
        {
            return null; // restored with only its ids and fill: its reports booked all of it, fees included
        }

        // Past the limit a trade is not kept. Beside a report that is ahead it is booked by the report, its fee with it:
        // the report's growth is what keeps a replay from booking either again (a trade is within the fill its report states).
        bool pastLimit = newTrade && order.TradeIds?.Length >= MaxTradesPerOrder;
        if (pastLimit && reports && !reportAhead)
        {
            // Its report is not ahead: booked with it before (a replay), or another report (reconciliation's totals)
            // booked its quantity first. Its fee is then unaccounted for: said, not dropped.
            return feesPerTrade && trade!.Fee != 0
                ? $"order {order.ClientOrderId} has {MaxTradesPerOrder} trades, the most one order may keep; trade {trade.TradeId}'s fee of {trade.Fee} is not booked, since its report is not ahead of the {order.ReportedQuantity} reported (a replay, or booked by other totals); reconcile the fees"
                : null;
        }

        if (pastLimit && !reports)
        {
            return $"order {order.ClientOrderId} has {MaxTradesPerOrder} trades, the most one order may keep; trade {trade!.TradeId} is not booked (a report of its order's fill books it)";
        }

        newTrade &= !pastLimit;

        decimal tradeQuantity = order.TradeQuantity, tradeQuote = order.TradeQuote, targetQuantity = order.FilledQuantity, targetQuote = order.FilledQuote;
        decimal quantity, notional, fee = 0m, realized = 0;
        bool feeFromReport = !feesPerTrade && reportAhead, wasFlat = _position.IsFlat;
        RoundTrip? trip = null;
        try
        {
            if (newTrade)
            {
                (tradeQuantity, tradeQuote) = (tradeQuantity + trade!.Quantity, tradeQuote + (trade.Quantity * trade.Price));
                if (tradeQuantity > order.Quantity)
                {
                    effects.Overfill = true;
                    return $"overfill: order {order.ClientOrderId} of {order.Quantity} has trades of {tradeQuantity} with trade {trade.TradeId}";
                }
            }

            // The source ahead by quantity sets the booked fill; on a tie what is booked stays, and within one update the
            // trades' exact sum wins over a report's notional (Binance futures gives z and an average price, not Z).
            if (tradeQuantity > targetQuantity)
            {
                (targetQuantity, targetQuote) = (tradeQuantity, tradeQuote);
            }

            if (reports && update.CumulativeFilledQuantity > targetQuantity)
            {
                targetQuantity = update.CumulativeFilledQuantity;
                targetQuote = update.CumulativeQuoteQuantity ?? (order.Price * targetQuantity);
            }

            // Both are within the bound, so the difference is exact.
            quantity = targetQuantity - order.FilledQuantity;
#if FAULT_INJECTION
            if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.FillByStatus) && update.Status == OrderStatus.Filled)
            {
                quantity = order.Quantity;
            }
#endif
            if (finished && quantity > 0)
            {
                return $"order {order.ClientOrderId} finished {_lastOrder.Status} with {order.FilledQuantity} filled, but its trades add up to {tradeQuantity}";
            }

            notional = targetQuote - order.FilledQuote;
            if (quantity > 0 && notional <= 0)
            {
                return $"order {order.ClientOrderId}: cumulative notional went from {order.FilledQuote} to {targetQuote} while the fill grew to {targetQuantity}";
            }

            if (feeFromReport)
            {
                // One order's cumulative fee is in one asset: it means nothing against another asset's. An order restored
                // from before fees had assets has a fee but no kind: its fees were in the quote asset.
                FeeAssetKind paidIn = order.FeeKind == FeeAssetKind.Unspecified ? FeeAssetKind.Quote : order.FeeKind;
                if (order.FilledFee != 0 && (charge.Kind != paidIn || charge.Asset != order.FeeAsset))
                {
                    return $"order {order.ClientOrderId}: its fees so far are {order.FilledFee} in {new FeeCharge(paidIn, order.FeeAsset)}, but an update reports them in {charge}";
                }

                fee = update.CumulativeFee - order.FilledFee;
            }
            else if (feesPerTrade && (newTrade || pastLimit))
            {
                fee = trade!.Fee;
            }

            decimal quoteFee = charge.Kind == FeeAssetKind.Quote ? fee : 0m, baseFee = charge.Kind == FeeAssetKind.Base ? fee : 0m;
            if (DescribeBaseFee(order, update, baseFee, feeFromReport) is { } badBaseFee)
            {
                return badBaseFee;
            }

            if (quantity == 0 && fee == 0)
            {
                if (!newTrade && !feeFromReport)
                {
                    return null; // a report catching up with the trades, which books nothing and decides no fee
                }

                CommitOrder(ref order, update, newTrade, reportAhead, feeFromReport, charge, targetQuantity, targetQuote, tradeQuantity, tradeQuote, baseFee);
                effects.Changed = true; // what the order has seen changed, not the books: kept so a replay deduplicates
                return null;
            }

            if (quantity == 0 && baseFee != 0)
            {
                // A base fee alone, arriving after its fill: it moves the inventory, which nothing else may be counting on.
                if (finished && Status != SlotStatus.Free)
                {
                    return $"order {order.ClientOrderId}: a late base-asset fee of {baseFee} while slot {Price} has another live order; reconcile the inventory with the exchange";
                }

            }

            decimal inventoryAfter = _position.InventoryAfter(order.Role, quantity, baseFee, sign);
            if (inventoryAfter < 0)
            {
                return $"order {order.ClientOrderId}: a closing fill of {quantity} with a base-asset fee of {baseFee} takes more than the {_position.Inventory} the slot holds";
            }

            // An opening fill is booked as entry cost of what it holds: a base fee that takes all of it would hold nothing
            // at a cost, so the slot's first fill must leave something (fees are a small share of a fill).
            if (order.Role == OrderRole.Open && inventoryAfter == 0 && (quantity > 0 || baseFee != 0))
            {
                return $"order {order.ClientOrderId}: an opening fill of {quantity} whose base-asset fee of {baseFee} takes all of it; nothing would be held for its cost";
            }

            // A short grid's opening sell owes its base fee too, so the position can outgrow the order by it.
            if (!Amounts.Fits(inventoryAfter))
            {
                return $"order {order.ClientOrderId}: a fill of {quantity} with a base-asset fee of {baseFee} would hold {inventoryAfter}, beyond the bound of {Amounts.Max:N0}";
            }

            // The other asset's new total first, then Open or Close, which store nothing unless all their arithmetic succeeds.
            AssetAmount[]? otherFees = charge.Kind == FeeAssetKind.Other && fee != 0 ? AssetAmounts.Add(_position.OtherFees, charge.Asset!, fee) : _position.OtherFees;
            if (wasFlat && quantity == 0 && baseFee != 0)
            {
                // A short's closing buy whose base fee came after the fill that flattened it: the account owes that much more.
                _position.HoldFeeResidue(baseFee, sign);
            }
            else if (order.Role == OrderRole.Open && (!wasFlat || quantity > 0))
            {
                _position.Open(quantity, notional, quoteFee, baseFee, sign);
            }
            else
            {
                // A closing fill, or a quote fee an opening order owes on a slot that holds nothing now: realised at once.
                realized = _position.Close(quantity, notional, quoteFee, baseFee, sign);
                if (wasFlat)
                {
                    _position.SkipTrip(); // a fee of no round trip in progress
                }
                else if (_position.IsFlat)
                {
                    trip = _position.CompleteRoundTrip(sign);
                }
            }

            _position.OtherFees = otherFees;
        }
        catch (OverflowException)
        {
            return $"order {order.ClientOrderId}: the update's amounts overflow decimal arithmetic";
        }

        if (order.Role == OrderRole.Close && _position.IsFlat && !wasFlat)
        {
            // The position is closed by this booking: its targets go, and a close lease is complete. (A late fee on a slot
            // already flat must leave alone what the next opening claim set.)
            ClearPositionTargets_NeedsLock();
            if (_lease.Kind == LeaseKind.Close)
            {
                _lease = default;
            }
        }

        CommitOrder(ref order, update, newTrade, reportAhead, feeFromReport, charge, targetQuantity, targetQuote, tradeQuantity, tradeQuote, charge.Kind == FeeAssetKind.Base ? fee : 0m);
        effects.CompletedTrip = trip;
        effects.Changed = true;
        effects.HasFill = true;
        effects.FillQuantity = quantity;
        effects.FillNotional = notional;
        effects.FillFee = fee;
        effects.FillFeeCharge = charge;
        effects.FillRealizedPnl = realized;
        effects.FillSide = order.Side; // kept for the event: a terminal update clears the order right after
        effects.FillRole = order.Role;
        effects.FillClientOrderId = order.ClientOrderId;
        effects.FillOrderId = order.OrderId ?? update.OrderId;
        effects.FillTradeId = newTrade ? trade!.TradeId : null;
        return null;
    }

    /// <summary>
    /// What is wrong with a base-asset fee, or null. It is paid out of what was traded: a trade's between zero and its
    /// quantity; a cumulative one never falls, and stays within the fill the report states.
    /// </summary>
    private static string? DescribeBaseFee(in OrderState order, in OrderUpdate update, decimal baseFee, bool feeFromReport)
    {
        if (baseFee == 0)
        {
            return null;
        }

        decimal paidOn = feeFromReport ? update.CumulativeFilledQuantity : update.Trade!.Quantity;
        decimal total = feeFromReport ? order.BaseFees + baseFee : baseFee;
        return baseFee < 0 || total > paidOn
            ? $"order {order.ClientOrderId}: a base-asset fee of {(feeFromReport ? total : baseFee)} on a fill of {paidOn}; a base fee is paid out of what was traded, so it is between zero and the fill"
            : null;
    }

    /// <summary>Records on the order what an update was booked as (every value was computed and checked before).</summary>
    private static void CommitOrder(ref OrderState order, in OrderUpdate update, bool newTrade, bool reportAhead, bool feeFromReport, FeeCharge charge, decimal filledQuantity, decimal filledQuote, decimal tradeQuantity, decimal tradeQuote, decimal baseFee)
    {
        order.FilledQuantity = filledQuantity;
        order.FilledQuote = filledQuote;
        order.BaseFees += baseFee;
        if (reportAhead)
        {
            order.ReportedQuantity = update.CumulativeFilledQuantity;
        }

        if (feeFromReport)
        {
            order.FilledFee = update.CumulativeFee;
            if (update.CumulativeFee != 0)
            {
                (order.FeeKind, order.FeeAsset) = (charge.Kind, charge.Asset);
            }
        }

        if (newTrade)
        {
            order.TradeIds = [.. order.TradeIds ?? [], update.Trade!.TradeId];
            (order.TradeQuantity, order.TradeQuote) = (tradeQuantity, tradeQuote);
        }
    }

    /// <summary>Releases the order: the slot becomes free, keeping whatever inventory the order's fills booked.</summary>
    private void FinishOrder(OrderStatus status, ref SlotEffects effects)
    {
        _lastOrder = new FinishedOrderState { Order = _order, Status = status };
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
