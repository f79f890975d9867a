using GridPositions.Fills;
using GridPositions.Slots;
using GridPositions.Wire;

namespace GridPositions.Snapshots;

/// <summary>Deep copies between a slot's <see cref="SlotState"/> and its <see cref="InventorySlot"/> message.</summary>
internal static class SlotWire
{
    public static InventorySlot ToWire(in SlotState slot)
    {
        PositionBook p = slot.Position;
        var wire = new InventorySlot
        {
            Price = slot.Price.ToWire(),
            Status = slot.Status,
            PositionStatus = p.IsFlat ? PositionStatus.Flat : PositionStatus.Open,
            Inventory = p.Inventory.ToWire(),
            EntryNotional = p.EntryNotional.ToWire(),
            EntryFees = p.EntryFees.ToWire(),
            RealizedPnl = p.RealizedPnl.ToWire(),
            OpenedQuantity = p.OpenedQuantity.ToWire(),
            ClosedQuantity = p.ClosedQuantity.ToWire(),
            ClosedExitNotional = p.ClosedExitNotional.ToWire(),
            ClosedEntryNotional = p.ClosedEntryNotional.ToWire(),
            ClosedFees = p.ClosedFees.ToWire(),
            RoundTrips = p.RoundTrips,
            TripStartClosedQuantity = p.TripStart.Quantity.ToWire(),
            TripStartClosedEntryNotional = p.TripStart.EntryNotional.ToWire(),
            TripStartClosedExitNotional = p.TripStart.ExitNotional.ToWire(),
            TripStartClosedFees = p.TripStart.Fees.ToWire(),
            AdjustedQuantity = p.AdjustedQuantity.ToWire(),
            Version = slot.Version,
            BaseFees = p.BaseFees.ToWire(),
            StopLossFraction = slot.StopLossFraction?.ToWire(),
            StopLoss = slot.StopLoss?.ToWire(),
            TakeProfit = slot.TakeProfit?.ToWire(),
        };
        if (slot.Leverage is { } leverage)
        {
            wire.Leverage = leverage;
        }

        foreach (AssetAmount fee in p.OtherFees ?? [])
        {
            wire.OtherFees.Add(new AssetAmountMessage { Asset = fee.Asset, Amount = fee.Amount.ToWire() });
        }

        foreach (GridPositions.TargetChange change in slot.TargetHistory ?? [])
        {
            wire.TargetHistory.Add(new TargetChangeMessage
            {
                At = change.At.ToWire(),
                StopLoss = change.StopLoss?.ToWire(),
                TakeProfit = change.TakeProfit?.ToWire(),
                Reason = change.Reason,
            });
        }

        if (slot.Status != SlotStatus.Free)
        {
            wire.Order = ToWire(slot.Order);
        }

        if (slot.LastOrder.ClientOrderId is not null)
        {
            FinishedOrderState last = slot.LastOrder;
            wire.LastOrder = new Wire.FinishedOrder
            {
                ClaimToken = last.ClaimToken,
                ClientOrderId = last.ClientOrderId,
                OrderId = last.OrderId ?? "",
                Status = last.Status,
                FilledQuantity = last.FilledQuantity.ToWire(),
            };

            // An order restored from a store that kept only its ids and fill is written back as it was read.
            if (last.Order.IsWhole)
            {
                wire.LastOrder.Order = ToWire(last.Order);
            }
        }

        return wire;
    }

    private static SlotOrder ToWire(in OrderState o)
    {
        var wire = new SlotOrder
        {
            ClaimToken = o.ClaimToken,
            ClientOrderId = o.ClientOrderId,
            OrderId = o.OrderId ?? "",
            Side = o.Side,
            Role = o.Role,
            Price = o.Price.ToWire(),
            Quantity = o.Quantity.ToWire(),
            FilledQuantity = o.FilledQuantity.ToWire(),
            FilledQuote = o.FilledQuote.ToWire(),
            FilledFee = o.FilledFee.ToWire(),
            CancelToken = o.CancelToken,
            CancelAccepted = o.CancelAccepted,
            UnknownSince = o.UnknownSince?.ToWire(),
            ClaimedAt = o.ClaimedAt.ToWire(),
            LeaseToken = o.LeaseToken,
            CancelClaimedAt = o.CancelToken == 0 ? null : o.CancelClaimedAt.ToWire(),
            CancelLeaseToken = o.CancelLeaseToken,
            FeeKind = o.FeeKind,
            FeeAsset = o.FeeAsset ?? "",
            PostOnly = o.PostOnly,
            TimeInForce = o.TimeInForce,
            PositionSide = o.PositionSide,
            ReportedQuantity = o.ReportedQuantity.ToWire(),
            TradeQuantity = o.TradeQuantity.ToWire(),
            TradeQuote = o.TradeQuote.ToWire(),
            BaseFees = o.BaseFees.ToWire(),
            FeesPerTrade = o.FeesPerTrade,
        };
        wire.TradeIds.Add(o.TradeIds ?? []);
        return wire;
    }

    private static OrderState FromWire(SlotOrder o, DateTimeOffset claimedAtIfMissing)
    {
        decimal filledFee = o.FilledFee.ToDecimal();
        return new OrderState
        {
            ClaimToken = o.ClaimToken,
            ClientOrderId = o.ClientOrderId,
            OrderId = WireConvert.NullIfEmpty(o.OrderId),
            Side = o.Side,
            Role = o.Role,
            Price = o.Price.ToDecimal(),
            Quantity = o.Quantity.ToDecimal(),
            FilledQuantity = o.FilledQuantity.ToDecimal(),
            FilledQuote = o.FilledQuote.ToDecimal(),
            FilledFee = filledFee,
            CancelToken = o.CancelToken,
            CancelAccepted = o.CancelAccepted,
            UnknownSince = o.UnknownSince?.ToDateTimeOffset(),
            ClaimedAt = o.ClaimedAt?.ToDateTimeOffset() ?? claimedAtIfMissing,
            LeaseToken = o.LeaseToken,
            CancelClaimedAt = o.CancelClaimedAt?.ToDateTimeOffset() ?? claimedAtIfMissing,
            CancelLeaseToken = o.CancelLeaseToken,
            FeeKind = o.FeeKind,
            FeeAsset = WireConvert.NullIfEmpty(o.FeeAsset),
            PostOnly = o.PostOnly,
            TimeInForce = o.TimeInForce,
            PositionSide = o.PositionSide,
            // A store from before trades were kept: every fill came from reports, and its base fees were its cumulative fee.
            ReportedQuantity = (o.ReportedQuantity ?? o.FilledQuantity).ToDecimal(),
            TradeIds = o.TradeIds.Count == 0 ? null : [.. o.TradeIds],
            TradeQuantity = o.TradeQuantity.ToDecimal(),
            TradeQuote = o.TradeQuote.ToDecimal(),
            BaseFees = o.BaseFees?.ToDecimal() ?? (o.FeeKind == FeeAssetKind.Base ? filledFee : 0m),
            FeesPerTrade = o.FeesPerTrade,
        };
    }

    private static decimal? NullableDecimal(DecimalValue? value) => value is null ? null : value.ToDecimal();

    /// <summary>Builds a slot's state from its message, keyed by <paramref name="key"/> (derived from the message's price by the caller).</summary>
    /// <param name="wire">The slot's message.</param>
    /// <param name="key">Its tick key.</param>
    /// <param name="canonicalPrice">Its price at the grid's scale.</param>
    /// <param name="claimedAtIfMissing">A claim time for a snapshot written before claims recorded theirs (its own time): the timeout runs from there.</param>
    public static SlotState FromWire(InventorySlot wire, long key, decimal canonicalPrice, DateTimeOffset claimedAtIfMissing)
    {
        var slot = new SlotState
        {
            Key = key,
            Price = canonicalPrice,
            Status = wire.Status,
            Version = wire.Version,
            Position = new PositionBook
            {
                Inventory = wire.Inventory.ToDecimal(),
                EntryNotional = wire.EntryNotional.ToDecimal(),
                EntryFees = wire.EntryFees.ToDecimal(),
                RealizedPnl = wire.RealizedPnl.ToDecimal(),
                OpenedQuantity = wire.OpenedQuantity.ToDecimal(),
                ClosedQuantity = wire.ClosedQuantity.ToDecimal(),
                ClosedExitNotional = wire.ClosedExitNotional.ToDecimal(),
                ClosedEntryNotional = wire.ClosedEntryNotional.ToDecimal(),
                ClosedFees = wire.ClosedFees.ToDecimal(),
                RoundTrips = wire.RoundTrips,
                TripStart = new ClosedTotals(
                    wire.TripStartClosedQuantity.ToDecimal(),
                    wire.TripStartClosedEntryNotional.ToDecimal(),
                    wire.TripStartClosedExitNotional.ToDecimal(),
                    wire.TripStartClosedFees.ToDecimal()),
                AdjustedQuantity = wire.AdjustedQuantity.ToDecimal(),
                BaseFees = wire.BaseFees.ToDecimal(),
                // Stryker disable once Conditional : no fees are null or an empty array alike (AssetAmountList.Of, AssetAmounts.Add)
                OtherFees = wire.OtherFees.Count == 0 ? null : [.. wire.OtherFees.Select(f => new AssetAmount(f.Asset, f.Amount.ToDecimal()))],
            },
            Leverage = wire.HasLeverage ? wire.Leverage : null,
            StopLossFraction = NullableDecimal(wire.StopLossFraction),
            StopLoss = NullableDecimal(wire.StopLoss),
            TakeProfit = NullableDecimal(wire.TakeProfit),
            TargetHistory = wire.TargetHistory.Count == 0 ? null : [.. wire.TargetHistory
                .Select(c => new GridPositions.TargetChange(c.At.ToDateTimeOffset(), NullableDecimal(c.StopLoss), NullableDecimal(c.TakeProfit), c.Reason))],
        };

        if (wire.Order is { } o)
        {
            slot = slot with { Order = FromWire(o, claimedAtIfMissing) };
        }

        if (wire.LastOrder is { } last)
        {
            // A snapshot from before finished orders kept their trades holds only their ids and fill: no quantity, so
            // not whole (OrderState.IsWhole), and its fill and fees were booked from its reports.
            OrderState order = last.Order is { } finished ? FromWire(finished, claimedAtIfMissing) : new OrderState
            {
                ClaimToken = last.ClaimToken,
                ClientOrderId = WireConvert.NullIfEmpty(last.ClientOrderId)!,
                OrderId = WireConvert.NullIfEmpty(last.OrderId),
                FilledQuantity = last.FilledQuantity.ToDecimal(),
                ReportedQuantity = last.FilledQuantity.ToDecimal(),
            };
            slot = slot with { LastOrder = new FinishedOrderState { Order = order, Status = last.Status } };
        }

        return slot;
    }
}
