using GridPositions.Fills;
using GridPositions.Wire;

namespace GridPositions.Snapshots;

/// <summary>
/// Checks every field of a snapshot before anything is built from it: a damaged snapshot is refused with an
/// <see cref="ArgumentException"/> naming the field's path (<c>snapshot.Slots[3].Order.Quantity</c>), never a
/// <see cref="NullReferenceException"/>, a <see cref="FormatException"/> or a quietly defaulted value. The invariants
/// (<see cref="SuperPositionManager.CheckInvariants"/>) then check that the fields agree with each other.
/// </summary>
internal static class SnapshotValidation
{
    private const string Param = "snapshot";

    public static void Validate(PositionManagerSnapshot snapshot)
    {
        Decimal(snapshot.TickSize, "snapshot.TickSize", required: false);
        Decimal(snapshot.QuantityStep, "snapshot.QuantityStep", required: false);
        NotNegative(snapshot.NextClaimToken, "snapshot.NextClaimToken");
        NotNegative(snapshot.NextClientOrderSequence, "snapshot.NextClientOrderSequence");
        for (int i = 0; i < snapshot.Slots.Count; i++)
        {
            Slot(snapshot.Slots[i], $"snapshot.Slots[{i}]");
        }

        for (int i = 0; i < snapshot.ParkedUpdates.Count; i++)
        {
            Parked(snapshot.ParkedUpdates[i], $"snapshot.ParkedUpdates[{i}]");
        }

        for (int i = 0; i < snapshot.RetiredIds.Count; i++)
        {
            RetiredId retired = snapshot.RetiredIds[i];
            string path = $"snapshot.RetiredIds[{i}]";
            Id(retired.Id, path + ".Id", required: true);
            Price(retired.SlotPrice, path + ".SlotPrice");
        }

        foreach ((string name, long value) in snapshot.Counters?.Values ?? [])
        {
            NotNegative(value, $"snapshot.Counters[{name}]");
        }
    }

    private static void Slot(InventorySlot slot, string path) // never null: a protobuf repeated field refuses null elements
    {

        Price(slot.Price, path + ".Price");
        Enum(slot.Status, path + ".Status", SlotStatus.Free, SlotStatus.Unknown);
        NotNegative(slot.Version, path + ".Version");
        NotNegative(slot.RoundTrips, path + ".RoundTrips");
        Amount(slot.Inventory, path + ".Inventory", nonNegative: true);
        Amount(slot.EntryNotional, path + ".EntryNotional", nonNegative: true); // prices are positive: a held quantity never costs less than nothing
        Amount(slot.EntryFees, path + ".EntryFees", nonNegative: false);
        // Lifetime fee totals are sums over every fill, so, like ClosedFees, they are not held to the per-amount bound.
        if (Decimal(slot.BaseFees, path + ".BaseFees", required: false) < 0)
        {
            throw Bad(path + ".BaseFees", $"is {slot.BaseFees.ToDecimal()}; a base fee is between zero and its fill, so their sum cannot be negative");
        }

        for (int j = 0; j < slot.OtherFees.Count; j++)
        {
            AssetAmountMessage fee = slot.OtherFees[j];
            string at = $"{path}.OtherFees[{j}]";
            Asset(fee.Asset, at + ".Asset");
            if (j > 0 && string.CompareOrdinal(slot.OtherFees[j - 1].Asset, fee.Asset) >= 0)
            {
                throw Bad(at + ".Asset", $"is '{fee.Asset}' after '{slot.OtherFees[j - 1].Asset}'; the assets are unique and in ascending order");
            }

            Decimal(fee.Amount, at + ".Amount", required: true);
        }

        foreach ((DecimalValue? value, string name) in new[]
        {
            (slot.RealizedPnl, "RealizedPnl"), (slot.OpenedQuantity, "OpenedQuantity"), (slot.ClosedQuantity, "ClosedQuantity"),
            (slot.ClosedExitNotional, "ClosedExitNotional"), (slot.ClosedEntryNotional, "ClosedEntryNotional"), (slot.ClosedFees, "ClosedFees"),
            (slot.TripStartClosedQuantity, "TripStartClosedQuantity"), (slot.TripStartClosedEntryNotional, "TripStartClosedEntryNotional"),
            (slot.TripStartClosedExitNotional, "TripStartClosedExitNotional"), (slot.TripStartClosedFees, "TripStartClosedFees"),
            (slot.AdjustedQuantity, "AdjustedQuantity"), (slot.StopLossFraction, "StopLossFraction"),
            (slot.StopLoss, "StopLoss"), (slot.TakeProfit, "TakeProfit"),
        })
        {
            Decimal(value, $"{path}.{name}", required: false);
        }

        if (slot.HasLeverage && slot.Leverage < 1)
        {
            throw Bad(path + ".Leverage", $"is {slot.Leverage}; a leverage is at least 1");
        }

        for (int j = 0; j < slot.TargetHistory.Count; j++)
        {
            TargetChangeMessage change = slot.TargetHistory[j];
            string at = $"{path}.TargetHistory[{j}]";
            if (change.At is null)
            {
                throw Bad(at + ".At", "is missing");
            }

            Decimal(change.StopLoss, at + ".StopLoss", required: false);
            Decimal(change.TakeProfit, at + ".TakeProfit", required: false);
        }

        if (slot.Status != SlotStatus.Free && slot.Order is null)
        {
            throw Bad(path + ".Order", $"is missing, but the slot's status is {slot.Status}");
        }

        if (slot.Order is { } order)
        {
            Order(order, path + ".Order");
        }

        if (slot.LastOrder is { } last)
        {
            string at = path + ".LastOrder";
            Id(last.ClientOrderId, at + ".ClientOrderId", required: true);
            Id(last.OrderId, at + ".OrderId", required: false);
            Enum(last.Status, at + ".Status", OrderStatus.Unspecified, OrderStatus.Expired);
            Amount(last.FilledQuantity, at + ".FilledQuantity", nonNegative: true);
            NotNegative(last.ClaimToken, at + ".ClaimToken");
            if (last.Order is { } finished)
            {
                Order(finished, at + ".Order");
                if (finished.ClientOrderId != last.ClientOrderId || finished.OrderId != last.OrderId || finished.ClaimToken != last.ClaimToken
                    || finished.FilledQuantity.ToDecimal() != last.FilledQuantity.ToDecimal())
                {
                    throw Bad(at + ".Order", $"is order ({finished.ClientOrderId}, {finished.OrderId}) token {finished.ClaimToken} filled {finished.FilledQuantity.ToDecimal()}, not the finished order ({last.ClientOrderId}, {last.OrderId}) token {last.ClaimToken} filled {last.FilledQuantity.ToDecimal()} it is kept for");
                }
            }
        }
    }

    private static void Order(SlotOrder order, string path)
    {
        Id(order.ClientOrderId, path + ".ClientOrderId", required: true);
        Id(order.OrderId, path + ".OrderId", required: false);
        if (order.ClaimToken <= 0)
        {
            throw Bad(path + ".ClaimToken", $"is {order.ClaimToken}; a claimed order has a positive token");
        }

        Enum(order.Side, path + ".Side", OrderSide.Buy, OrderSide.Sell);
        Enum(order.Role, path + ".Role", OrderRole.Open, OrderRole.Close);
        Price(order.Price, path + ".Price");
        if (Amount(order.Quantity, path + ".Quantity", nonNegative: true, required: true) <= 0)
        {
            throw Bad(path + ".Quantity", "must be positive");
        }

        Amount(order.FilledQuantity, path + ".FilledQuantity", nonNegative: true);
        Amount(order.FilledQuote, path + ".FilledQuote", nonNegative: true);
        Amount(order.FilledFee, path + ".FilledFee", nonNegative: false);
        NotNegative(order.CancelToken, path + ".CancelToken");
        NotNegative(order.LeaseToken, path + ".LeaseToken");
        NotNegative(order.CancelLeaseToken, path + ".CancelLeaseToken");
        Enum(order.FeeKind, path + ".FeeKind", FeeAssetKind.Unspecified, FeeAssetKind.Other);
        if (order.FeeKind == FeeAssetKind.Other)
        {
            Asset(order.FeeAsset, path + ".FeeAsset");
        }
        else if (order.FeeAsset.Length > 0)
        {
            throw Bad(path + ".FeeAsset", $"is '{order.FeeAsset}', but the fee kind is {order.FeeKind}, which has no name");
        }

        Enum(order.TimeInForce, path + ".TimeInForce", TimeInForce.Unspecified, TimeInForce.Fok);
        Trades(order, path);
        Enum(order.PositionSide, path + ".PositionSide", PositionSide.Unspecified, PositionSide.Short);
        if (order.PostOnly && order.TimeInForce is (TimeInForce.Ioc or TimeInForce.Fok))
        {
            throw Bad(path + ".PostOnly", $"is set on a {order.TimeInForce} order; a post-only order rests on the book");
        }
    }

    /// <summary>A named asset: present, upper case as the manager stores it, and a name the manager would accept.</summary>
    private static void Asset(string asset, string path)
    {
        if (string.IsNullOrWhiteSpace(asset))
        {
            throw Bad(path, "is missing or blank");
        }

        string? problem = Fills.FeeAssets.DescribeName(asset, "it") ?? (asset.Any(char.IsAsciiLetterLower) ? "it is not upper case" : null);
        if (problem is not null)
        {
            throw Bad(path, $"'{asset}' is not an asset name the manager stores ({problem})");
        }
    }

    private static void Parked(ParkedUpdate? parked, string path)
    {
        if (parked?.Update is not { } update)
        {
            throw Bad(path + ".Update", "is missing");
        }

        if (parked.ParkedAt is null)
        {
            throw Bad(path + ".ParkedAt", "is missing");
        }

        string at = path + ".Update";
        Id(update.OrderId, at + ".OrderId", required: false);
        Id(update.ClientOrderId, at + ".ClientOrderId", required: false);
        Decimal(update.CumulativeFilledQuantity, at + ".CumulativeFilledQuantity", required: false);
        Decimal(update.CumulativeQuoteQuantity, at + ".CumulativeQuoteQuantity", required: false);
        Decimal(update.CumulativeFee, at + ".CumulativeFee", required: false);
        Id(update.FeeAsset, at + ".FeeAsset", required: false);
        if (Routing.UpdateValidation.Describe(update.ToApi()) is { } problem) // the same rules as a live update
        {
            throw Bad(at, problem.TrimEnd('.'));
        }
    }

    private static void Price(DecimalValue? value, string path)
    {
        decimal price = Decimal(value, path, required: true);
        if (price <= 0 || price > Amounts.Max)
        {
            throw Bad(path, $"is {price}; a price is positive and at most {Amounts.Max:N0}");
        }
    }

    private static decimal Amount(DecimalValue? value, string path, bool nonNegative, bool required = false)
    {
        decimal amount = Decimal(value, path, required);
        if (nonNegative && amount < 0)
        {
            throw Bad(path, $"is {amount}; it cannot be negative");
        }

        if (!Amounts.Fits(amount))
        {
            throw Bad(path, Amounts.Describe("the amount", amount));
        }

        return amount;
    }

    private static decimal Decimal(DecimalValue? value, string path, bool required)
    {
        if (value is null)
        {
            return required ? throw Bad(path, "is missing") : 0m;
        }

        try
        {
            return value.ToDecimal();
        }
        catch (FormatException e)
        {
            throw Bad(path, e.Message);
        }
    }

    /// <summary>What an order has seen of its trades and reports: unique ids, and sums within the order and its booked fill.</summary>
    private static void Trades(SlotOrder order, string path)
    {
        if (order.TradeIds.Count > Slots.Slot.MaxTradesPerOrder)
        {
            throw Bad(path + ".TradeIds", $"holds {order.TradeIds.Count} trades; an order has at most {Slots.Slot.MaxTradesPerOrder}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < order.TradeIds.Count; j++)
        {
            Id(order.TradeIds[j], $"{path}.TradeIds[{j}]", required: true);
            if (!seen.Add(order.TradeIds[j]))
            {
                throw Bad($"{path}.TradeIds[{j}]", $"is '{order.TradeIds[j]}' again; a trade is kept once");
            }
        }

        decimal filled = order.FilledQuantity.ToDecimal();
        foreach ((DecimalValue? value, string name) in new[] { (order.ReportedQuantity, "ReportedQuantity"), (order.TradeQuantity, "TradeQuantity") })
        {
            if (Amount(value, $"{path}.{name}", nonNegative: true) > filled)
            {
                throw Bad($"{path}.{name}", $"is {value.ToDecimal()}, more than the {filled} booked; the fill booked is the larger of the reports' and the trades'");
            }
        }

        if ((order.TradeIds.Count == 0) != (order.TradeQuantity.ToDecimal() == 0))
        {
            throw Bad(path + ".TradeQuantity", $"is {order.TradeQuantity.ToDecimal()} for {order.TradeIds.Count} trades");
        }

        Amount(order.TradeQuote, path + ".TradeQuote", nonNegative: true);
        if (Amount(order.BaseFees, path + ".BaseFees", nonNegative: true) > filled)
        {
            throw Bad(path + ".BaseFees", $"is {order.BaseFees.ToDecimal()}, more than the {filled} filled; a base fee is paid out of what was traded");
        }
    }

    private static void Id(string id, string path, bool required)
    {
        // Absent is "" in protobuf; present must not be blank (a blank id could never be matched again).
        if ((required && id.Length == 0) || (id.Length > 0 && string.IsNullOrWhiteSpace(id)))
        {
            throw Bad(path, required ? "is missing or blank" : "is blank");
        }
    }

    private static void Enum<T>(T value, string path, T lowest, T highest)
        where T : struct, System.Enum
    {
        int v = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        if (v < Convert.ToInt32(lowest, System.Globalization.CultureInfo.InvariantCulture) || v > Convert.ToInt32(highest, System.Globalization.CultureInfo.InvariantCulture))
        {
            throw Bad(path, $"is {value}, not one of {lowest} to {highest}");
        }
    }

    private static void NotNegative(long value, string path)
    {
        if (value < 0)
        {
            throw Bad(path, $"is {value}; it cannot be negative");
        }
    }

#pragma warning disable CA2208 // The parameter named is Restore's (and Open's) snapshot, which this validates for them.
    private static ArgumentException Bad(string path, string problem) => new($"{path} {problem}.", Param);
#pragma warning restore CA2208
}
