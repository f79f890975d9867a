using System.Globalization;
using GridPositions.Hosting;
namespace GridPositions.Server.Protocol;

/// <summary>
/// Between the service's messages (amounts as decimal strings) and the library's types. Bad input is an
/// <see cref="ArgumentException"/> whose parameter name is the message's field, as the library's own are.
/// </summary>
public static class ProtocolConvert
{
    public static ManagerKey Key(ManagerRef? manager)
    {
        if (manager is null)
        {
            throw Invalid("manager", "is missing; name the manager by account, symbol and direction.");
        }

        try
        {
            return new ManagerKey(manager.Account, manager.Symbol, manager.Direction);
        }
        catch (ArgumentException e)
        {
            throw Invalid("manager", e.Message);
        }
    }

    /// <summary>A required amount.</summary>
    public static decimal Amount(string text, string field) =>
        OptionalAmount(text, field) ?? throw Invalid(field, "is missing; amounts are decimal strings such as \"0.001\".");

    /// <summary>An optional amount: empty is not given.</summary>
    public static decimal? OptionalAmount(string text, string field)
    {
        if (text.Length == 0)
        {
            return null;
        }

        // Exact: a decimal string in invariant form, no exponent, no thousands separators, no surrounding blanks.
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value)
            ? value
            : throw Invalid(field, $"is '{text}', not a decimal string such as \"0.001\".");
    }

    public static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(decimal? value) => value is { } v ? Text(v) : "";

    /// <summary>What is wrong with a field, as the library says it: the message names it, the parameter name is it.</summary>
    public static ArgumentException Invalid(string field, string problem) => new($"{field} {problem}", field);

    public static ClaimRequest ToClaim(ClaimSlotRequest r) => new()
    {
        Type = r.Type,
        SlotPrice = Amount(r.SlotPrice, "slot_price"),
        Side = r.Side,
        Price = r.Type == OrderActionType.Cancel ? OptionalAmount(r.Price, "price") ?? 0m : Amount(r.Price, "price"),
        Quantity = r.Type == OrderActionType.Cancel || r.WholePosition ? OptionalAmount(r.Quantity, "quantity") ?? 0m : Amount(r.Quantity, "quantity"),
        ClientOrderId = r.ClientOrderId.Length == 0 ? null : r.ClientOrderId,
        WholePosition = r.WholePosition,
        PostOnly = r.PostOnly,
        TimeInForce = r.TimeInForce,
        PositionSide = r.PositionSide,
    };

    public static ClaimSlotReply ToReply(in ClaimResult result, bool repeated)
    {
        var reply = new ClaimSlotReply { Rejection = ToWire(result.Rejection), Detail = result.Detail ?? "", Repeated = repeated };
        if (result.IsAccepted)
        {
            reply.Action = ToWire(result.Action);
        }

        return reply;
    }

    public static Protocol.Action ToWire(in OrderAction a) => new()
    {
        Type = a.Type,
        SlotPrice = Text(a.SlotPrice),
        Side = a.Side,
        Price = Text(a.Price),
        Quantity = Text(a.Quantity),
        ClientOrderId = a.ClientOrderId,
        OrderId = a.OrderId ?? "",
        ClaimToken = a.ClaimToken,
        Role = a.Role,
        ReduceOnly = a.ReduceOnly,
        PostOnly = a.PostOnly,
        TimeInForce = a.TimeInForce,
        PositionSide = a.PositionSide,
    };

    /// <summary>The action as it was claimed: the manager checks the claim token and the ids, so a changed field is refused there.</summary>
    public static OrderAction FromWire(Protocol.Action? a, string field)
    {
        if (a is null)
        {
            throw Invalid(field, "is missing; send back the action as the claim returned it.");
        }

        var action = new OrderAction(a.Type, Amount(a.SlotPrice, field + ".slot_price"), a.Side, Amount(a.Price, field + ".price"), Amount(a.Quantity, field + ".quantity"),
            a.ClientOrderId, a.OrderId.Length == 0 ? null : a.OrderId, a.ClaimToken);
        return action with { Role = a.Role, ReduceOnly = a.ReduceOnly, PostOnly = a.PostOnly, TimeInForce = a.TimeInForce, PositionSide = a.PositionSide };
    }

    public static OrderActionResult FromWire(ActionResult r, int index)
    {
        string field = $"results[{index}]";
        return new OrderActionResult(FromWire(r.Action, field + ".action"), r.Outcome, r.OrderId.Length == 0 ? null : r.OrderId, r.Error.Length == 0 ? null : r.Error);
    }

    public static ResultReply ToWire(in ResultOutcome outcome)
    {
        var reply = new ResultReply { Disposition = ToWire(outcome.Disposition), Detail = outcome.Detail ?? "" };
        if (outcome.CancelToIssue is { } cancel)
        {
            reply.CancelToIssue = ToWire(cancel);
        }

        return reply;
    }

    /// <summary>Named one by one: the wire reserves 0 for unspecified, the library's enum starts at Applied.</summary>
    public static Disposition ToWire(InputDisposition disposition) => disposition switch
    {
        InputDisposition.Applied => Disposition.Applied,
        InputDisposition.Duplicate => Disposition.Duplicate,
        InputDisposition.Stale => Disposition.Stale,
        InputDisposition.Parked => Disposition.Parked,
        InputDisposition.Rejected => Disposition.Rejected,
        _ => throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "not a disposition the service knows"),
    };

    /// <summary>Named one by one, so a new rejection is a build-time decision here, not a silent renumbering.</summary>
    public static ClaimRejectionCode ToWire(ClaimRejection rejection) => rejection switch
    {
        ClaimRejection.None => ClaimRejectionCode.None,
        ClaimRejection.SlotBusy => ClaimRejectionCode.SlotBusy,
        ClaimRejection.WouldOversell => ClaimRejectionCode.WouldOversell,
        ClaimRejection.PositionAlreadyOpen => ClaimRejectionCode.PositionAlreadyOpen,
        ClaimRejection.NothingToCancel => ClaimRejectionCode.NothingToCancel,
        ClaimRejection.Invalid => ClaimRejectionCode.Invalid,
        ClaimRejection.PositionLeased => ClaimRejectionCode.PositionLeased,
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a rejection the service knows"),
    };

    public static OrderUpdate FromWire(OrderUpdateRequest u, string field)
    {
        TradeFill? trade = null;
        if (u.Trade is { } t)
        {
            trade = new TradeFill(t.TradeId, Amount(t.Quantity, field + "trade.quantity"), Amount(t.Price, field + "trade.price"), OptionalAmount(t.Fee, field + "trade.fee") ?? 0m);
        }

        return new OrderUpdate
        {
            OrderId = u.OrderId.Length == 0 ? null : u.OrderId,
            ClientOrderId = u.ClientOrderId.Length == 0 ? null : u.ClientOrderId,
            Status = u.Status,
            CumulativeFilledQuantity = OptionalAmount(u.CumulativeFilledQuantity, field + "cumulative_filled_quantity") ?? 0m,
            CumulativeQuoteQuantity = OptionalAmount(u.CumulativeQuoteQuantity, field + "cumulative_quote_quantity"),
            CumulativeFee = OptionalAmount(u.CumulativeFee, field + "cumulative_fee") ?? 0m,
            FeeAsset = u.FeeAsset.Length == 0 ? null : u.FeeAsset,
            Trade = trade,
        };
    }

    public static SlotInfo ToWire(SlotView s)
    {
        var info = new SlotInfo
        {
            Price = Text(s.Price),
            Status = s.Status,
            Inventory = Text(s.Inventory),
            EntryNotional = Text(s.EntryNotional),
            EntryFees = Text(s.EntryFees),
            RealizedPnl = Text(s.RealizedPnl),
            RoundTrips = s.RoundTrips,
            BaseFees = Text(s.BaseFees),
        };
        if (s.Order is { } o)
        {
            info.Order = new OrderInfo
            {
                ClientOrderId = o.ClientOrderId,
                OrderId = o.OrderId ?? "",
                Side = o.Side,
                Role = o.Role,
                Price = Text(o.Price),
                Quantity = Text(o.Quantity),
                FilledQuantity = Text(o.FilledQuantity),
            };
        }

        return info;
    }

    public static Totals ToWire(in PositionTotals t) => new()
    {
        Inventory = Text(t.Inventory),
        EntryNotional = Text(t.EntryNotional),
        RealizedPnl = Text(t.RealizedPnl),
        RoundTrips = t.RoundTrips,
        BaseFees = Text(t.BaseFees),
    };

    /// <summary>An event as the stream sends it, or null for kinds the service does not carry.</summary>
    public static PositionEvent? ToWire(PositionEventArgs e)
    {
        var wire = new PositionEvent { Sequence = e.Sequence };
        switch (e)
        {
            case FillAppliedEventArgs f:
                wire.Fill = new FillEvent
                {
                    SlotPrice = Text(f.SlotPrice),
                    ClientOrderId = f.ClientOrderId,
                    OrderId = f.OrderId ?? "",
                    Side = f.Side,
                    Role = f.Role,
                    Quantity = Text(f.Quantity),
                    Notional = Text(f.Notional),
                    Fee = Text(f.Fee),
                    FeeAsset = f.FeeAsset ?? "",
                    RealizedPnl = Text(f.RealizedPnl),
                    InventoryAfter = Text(f.InventoryAfter),
                    TradeId = f.TradeId ?? "",
                };
                return wire;
            case SlotChangedEventArgs c:
                wire.SlotChanged = ToWire(c.Slot);
                return wire;
            case RoundTripCompletedEventArgs t:
                wire.RoundTrip = new RoundTripEvent { SlotPrice = Text(t.SlotPrice), Quantity = Text(t.Quantity), RealizedPnl = Text(t.RealizedPnl) };
                return wire;
            case InputRejectedEventArgs r:
                wire.Rejected = new RejectedEvent { Reason = r.Reason };
                return wire;
            default:
                return null;
        }
    }
}
