namespace GridPositions.Tests.Model;

/// <summary>
/// A small sequential model of the manager's rules: no locks, no phases, no indexes (orders are found by scanning
/// the slots). The property test drives it and the real manager with the same inputs and compares them after every step.
/// </summary>
internal sealed class ModelManager(GridDirection direction, int parkedCapacity, TimeSpan parkedTimeToLive)
{
    private readonly SortedDictionary<decimal, ModelSlot> _slots = [];
    private readonly Dictionary<string, ModelSlot> _finishedOrderIds = [];
    private readonly Dictionary<string, ModelSlot> _finishedClientIds = [];
    private readonly List<(OrderUpdate Update, DateTimeOffset At)> _parked = [];
    private readonly List<OrderUpdate> _redrive = [];
    private long _nextToken = 1;

    public int Sign { get; } = direction == GridDirection.Long ? 1 : -1;

    public OrderSide Opening { get; } = direction == GridDirection.Long ? OrderSide.Buy : OrderSide.Sell;

    public ManagerCounters Counters { get; private set; }

    public int ParkedCount => _parked.Count;

    public IReadOnlyList<SlotView> Views() => _slots.Values.Select(s => s.View()).ToList();

    public ModelSlot? Slot(decimal price) => _slots.GetValueOrDefault(price);

    // ---- claims ----

    /// <summary>Returns the rejection the manager must give, or None with the token it must assign.</summary>
    public (ClaimRejection Rejection, long Token) Claim(ClaimRequest request)
    {
        if (request.Type == OrderActionType.Cancel)
        {
            ClaimRejection cancel = _slots.GetValueOrDefault(request.SlotPrice) switch
            {
                null => ClaimRejection.NothingToCancel,
                { Order: null } => ClaimRejection.NothingToCancel,
                { Status: SlotStatus.Live } => ClaimRejection.None,
                _ => ClaimRejection.SlotBusy,
            };
            return Count(cancel);
        }

        ModelSlot slot = _slots.GetValueOrDefault(request.SlotPrice) ?? new ModelSlot(request.SlotPrice); // a refusal leaves no slot
        OrderRole role = request.Side == Opening ? OrderRole.Open : OrderRole.Close;
        ClaimRejection rejection = slot.Order is not null ? ClaimRejection.SlotBusy
            : role == OrderRole.Open && slot.Inventory != 0 ? ClaimRejection.PositionAlreadyOpen
            : role == OrderRole.Close && request.Quantity > slot.Inventory ? ClaimRejection.WouldOversell
            : ClaimRejection.None;
        return Count(rejection);
    }

    private (ClaimRejection, long) Count(ClaimRejection rejection)
    {
        Counters = rejection == ClaimRejection.None
            ? Counters with { ClaimsAccepted = Counters.ClaimsAccepted + 1 }
            : Counters with { ClaimsRejected = Counters.ClaimsRejected + 1 };
        return (rejection, rejection == ClaimRejection.None ? _nextToken++ : 0);
    }

    /// <summary>Records an accepted claim, with the client id the manager generated.</summary>
    public void Claimed(in OrderAction action, DateTimeOffset now)
    {
        if (!_slots.TryGetValue(action.SlotPrice, out ModelSlot? slot))
        {
            slot = _slots[action.SlotPrice] = new ModelSlot(action.SlotPrice);
        }

        if (action.Type == OrderActionType.Cancel)
        {
            slot.Order!.CancelToken = action.ClaimToken;
            slot.Order.CancelAccepted = false;
            slot.Status = SlotStatus.PendingCancel;
            return;
        }

        slot.Order = new ModelOrder(action.ClaimToken, action.ClientOrderId, action.Side, action.Side == Opening ? OrderRole.Open : OrderRole.Close, action.Price, action.Quantity) { ClaimedAt = now };
        slot.Status = SlotStatus.PendingPlace;
        if (_parked.Count > 0)
        {
            Redrive(action.ClientOrderId, null);
        }

        DrainRedrives(now);
    }

    // ---- results ----

    public (InputDisposition Disposition, bool Cancel) ApplyResult(in OrderActionResult result, DateTimeOffset now)
    {
        (InputDisposition d, bool cancel, string? cid, string? oid) = ApplyResultCore(result);
        Counters = d switch
        {
            InputDisposition.Applied => Counters with { ResultsApplied = Counters.ResultsApplied + 1 },
            InputDisposition.Duplicate => Counters with { ResultsDuplicate = Counters.ResultsDuplicate + 1 },
            InputDisposition.Stale => Counters with { ResultsStale = Counters.ResultsStale + 1 },
            _ => Counters with { ResultsRejected = Counters.ResultsRejected + 1 },
        };
        if (cid is not null || oid is not null)
        {
            Redrive(cid, oid);
        }

        DrainRedrives(now);
        return (d, cancel);
    }

    private (InputDisposition, bool, string?, string?) ApplyResultCore(in OrderActionResult r)
    {
        if (r.Action.ClaimToken == 0)
        {
            return (InputDisposition.Stale, false, null, null); // an orphan's follow-up cancel
        }

        if (!_slots.TryGetValue(r.Action.SlotPrice, out ModelSlot? slot))
        {
            return (InputDisposition.Rejected, false, null, null);
        }

        long token = r.Action.ClaimToken;
        ModelOrder? o = slot.Order;
        if (r.Action.Type == OrderActionType.Cancel)
        {
            if (slot.Status == SlotStatus.PendingCancel && o!.CancelToken == token)
            {
                if (r.Outcome == ActionOutcome.Succeeded)
                {
                    bool first = !o.CancelAccepted;
                    o.CancelAccepted = true;
                    return (first ? InputDisposition.Applied : InputDisposition.Duplicate, false, null, null);
                }

                o.CancelToken = 0;
                o.CancelAccepted = false;
                slot.Status = SlotStatus.Live;
                return (InputDisposition.Applied, false, null, null);
            }

            return (slot.Last?.Matches(r.Action.OrderId, r.Action.ClientOrderId) == true ? InputDisposition.Duplicate : InputDisposition.Stale, false, null, null);
        }

        if (o is not null && o.Token == token)
        {
            switch (r.Outcome)
            {
                case ActionOutcome.Succeeded when o.OrderId is null:
                    o.OrderId = r.OrderId;
                    if (slot.Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
                    {
                        slot.Status = SlotStatus.Live;
                    }

                    return (InputDisposition.Applied, false, null, o.OrderId);
                case ActionOutcome.Succeeded:
                    return (o.OrderId == r.OrderId ? InputDisposition.Duplicate : InputDisposition.Rejected, false, null, null);
                case ActionOutcome.Failed:
                    if (o.OrderId is not null || o.Filled > 0 || slot.Status is SlotStatus.Live or SlotStatus.PendingCancel)
                    {
                        return (InputDisposition.Rejected, false, null, null);
                    }

                    Finish(slot, OrderStatus.Unspecified);
                    return (InputDisposition.Applied, false, o.ClientOrderId, null);
                default:
                    if (slot.Status != SlotStatus.PendingPlace)
                    {
                        return (InputDisposition.Duplicate, false, null, null);
                    }

                    slot.Status = SlotStatus.Unknown;
                    return (InputDisposition.Applied, false, null, null);
            }
        }

        if (slot.Last is { } last && last.Token == token && !(r.Outcome == ActionOutcome.Succeeded && last.Status == OrderStatus.Unspecified))
        {
            return (InputDisposition.Duplicate, false, null, null);
        }

        return (InputDisposition.Stale, r.Outcome == ActionOutcome.Succeeded, null, null);
    }

    // ---- updates ----

    public InputDisposition OnUpdate(in OrderUpdate update, DateTimeOffset now)
    {
        ExpireOld(now);
        InputDisposition d = Route(update);
        if (d == InputDisposition.Parked)
        {
            if (_parked.Count >= parkedCapacity)
            {
                _parked.RemoveAt(0);
                Counters = Counters with { UpdatesExpired = Counters.UpdatesExpired + 1 };
            }

            _parked.Add((update, now));
            Counters = Counters with { UpdatesParked = Counters.UpdatesParked + 1 };
        }

        DrainRedrives(now);
        return d;
    }

    public void Expire(DateTimeOffset now) => ExpireOld(now);

    /// <summary>The model's names for the scenario's assets: "quote" (unnamed or USD), "base" (SIM), or the name in upper case.</summary>
    public static string FeeIn(string? asset) =>
        string.IsNullOrWhiteSpace(asset) || asset.Equals("USD", StringComparison.OrdinalIgnoreCase) ? "quote"
        : asset.Equals("SIM", StringComparison.OrdinalIgnoreCase) ? "base"
        : asset.ToUpperInvariant();

    private void ExpireOld(DateTimeOffset now)
    {
        while (_parked.Count > 0 && now - _parked[0].At >= parkedTimeToLive)
        {
            _parked.RemoveAt(0);
            Counters = Counters with { UpdatesExpired = Counters.UpdatesExpired + 1 };
        }
    }

    private InputDisposition Route(in OrderUpdate u)
    {
        string? oid = u.OrderId, cid = u.ClientOrderId;
        ModelSlot? slot = (oid is null ? null : _slots.Values.FirstOrDefault(s => s.Order?.OrderId == oid))
            ?? (oid is null ? null : _finishedOrderIds.GetValueOrDefault(oid))
            ?? (cid is null ? null : _slots.Values.FirstOrDefault(s => s.Order?.ClientOrderId == cid))
            ?? (cid is null ? null : _finishedClientIds.GetValueOrDefault(cid));
        if (slot is null)
        {
            return InputDisposition.Parked;
        }

        (InputDisposition d, string? touchedCid, string? touchedOid) = Apply(slot, u);
        Counters = d switch
        {
            InputDisposition.Applied => Counters with { UpdatesApplied = Counters.UpdatesApplied + 1 },
            InputDisposition.Duplicate => Counters with { UpdatesDuplicate = Counters.UpdatesDuplicate + 1 },
            InputDisposition.Stale => Counters with { UpdatesStale = Counters.UpdatesStale + 1 },
            _ => Counters with { UpdatesRejected = Counters.UpdatesRejected + 1 },
        };
        if (touchedCid is not null || touchedOid is not null)
        {
            Redrive(touchedCid, touchedOid);
        }

        return d;
    }

    private (InputDisposition, string?, string?) Apply(ModelSlot slot, in OrderUpdate u)
    {
        ModelOrder? o = slot.Order;
        if (o is null || !((u.OrderId is not null && u.OrderId == o.OrderId) || (u.ClientOrderId is not null && u.ClientOrderId == o.ClientOrderId)))
        {
            if (slot.Last is not { } last || !last.Matches(u.OrderId, u.ClientOrderId))
            {
                return (InputDisposition.Stale, null, null);
            }

            bool fillAfterEnd = u.CumulativeFilledQuantity > last.Filled;
            bool aliveAfterFailure = last.Status == OrderStatus.Unspecified && !IsTerminal(u.Status);
            if (fillAfterEnd || aliveAfterFailure)
            {
                return (InputDisposition.Rejected, null, null);
            }

            // A finished order's late trades and fees still book, never more quantity.
            return (Book(slot, last.Order, u, finished: true) switch
            {
                null => InputDisposition.Rejected,
                true => InputDisposition.Applied,
                false => InputDisposition.Duplicate,
            }, null, null);
        }

        if ((u.OrderId is not null && o.OrderId is not null && u.OrderId != o.OrderId) || (u.ClientOrderId is not null && u.ClientOrderId != o.ClientOrderId))
        {
            return (InputDisposition.Rejected, null, null);
        }

        if (u.CumulativeFilledQuantity > o.Quantity)
        {
            Counters = Counters with { Overfills = Counters.Overfills + 1 };
            return (InputDisposition.Rejected, null, null);
        }

        string? touchedCid = null, touchedOid = null;
        if (Book(slot, o, u, finished: false) is not { } changed)
        {
            return (InputDisposition.Rejected, null, null);
        }

        if (o.OrderId is null && u.OrderId is not null)
        {
            o.OrderId = u.OrderId;
            (changed, touchedOid) = (true, o.OrderId);
        }

        if (IsTerminal(u.Status))
        {
            Finish(slot, u.Status); // fees are cumulative here: trades that fill the order do not end it, its report does
            return (InputDisposition.Applied, o.ClientOrderId, o.OrderId);
        }

        if (slot.Status is SlotStatus.PendingPlace or SlotStatus.Unknown)
        {
            slot.Status = SlotStatus.Live;
            changed = true;
        }

        return (changed ? InputDisposition.Applied : InputDisposition.Duplicate, touchedCid, touchedOid);
    }

    /// <summary>
    /// Books what an update adds to an order: the fill goes to whichever source is ahead by quantity (the trades' sum
    /// first, then the report), the fee is the report's when it states more than any report before (fees are cumulative
    /// here; trades carry none). Null: rejected, nothing changed.
    /// </summary>
    private bool? Book(ModelSlot slot, ModelOrder o, in OrderUpdate u, bool finished)
    {
        bool report = u.Status != OrderStatus.Unspecified;
        bool newTrade = u.Trade is { } t0 && !o.TradeIds.Contains(t0.TradeId);
        bool reportAhead = report && u.CumulativeFilledQuantity > o.Reported;
        if (!newTrade && !reportAhead)
        {
            return false;
        }

        (decimal tradeQ, decimal tradeN) = newTrade ? (o.TradeQ + u.Trade!.Quantity, o.TradeN + (u.Trade.Quantity * u.Trade.Price)) : (o.TradeQ, o.TradeN);
        if (tradeQ > o.Quantity)
        {
            Counters = Counters with { Overfills = Counters.Overfills + 1 };
            return null;
        }

        (decimal q, decimal n) = (o.Filled, o.Quote);
        if (tradeQ > q)
        {
            (q, n) = (tradeQ, tradeN);
        }

        if (report && u.CumulativeFilledQuantity > q)
        {
            (q, n) = (u.CumulativeFilledQuantity, u.CumulativeQuoteQuantity ?? (o.Price * u.CumulativeFilledQuantity));
        }

        decimal growth = q - o.Filled, notional = n - o.Quote;
        if ((finished && growth > 0) || (growth > 0 && notional <= 0))
        {
            return null;
        }

        string feeIn = FeeIn(u.FeeAsset);
        if (reportAhead && o.Fee != 0 && o.FeeIn is not null && o.FeeIn != feeIn)
        {
            return null; // one order's cumulative fees are in one asset
        }

        decimal fee = reportAhead ? u.CumulativeFee - o.Fee : 0m, baseFee = feeIn == "base" ? fee : 0m;
        if (baseFee < 0 || (baseFee != 0 && o.BaseFees + baseFee > u.CumulativeFilledQuantity))
        {
            return null; // paid out of what was traded
        }

        if (growth != 0 || fee != 0)
        {
            if (growth == 0 && baseFee != 0 && finished && slot.Order is not null)
            {
                return null; // a late base fee while another order counts on the inventory
            }

            decimal after = (o.Role == OrderRole.Open ? slot.Inventory + growth : slot.Inventory - growth) - (Sign * baseFee);
            if (after < 0 || (o.Role == OrderRole.Open && after == 0 && (growth > 0 || baseFee != 0)))
            {
                return null;
            }

            if (slot.Book(o.Role, growth, notional, feeIn, fee, Sign))
            {
                Counters = Counters with { RoundTripsCompleted = Counters.RoundTripsCompleted + 1 };
            }

            if (growth > 0)
            {
                Counters = Counters with { FillsApplied = Counters.FillsApplied + 1 };
            }
        }

        (o.Filled, o.Quote) = (q, n);
        o.BaseFees += baseFee;
        if (reportAhead)
        {
            (o.Reported, o.Fee) = (u.CumulativeFilledQuantity, u.CumulativeFee);
            if (u.CumulativeFee != 0)
            {
                o.FeeIn = feeIn;
            }
        }

        if (newTrade)
        {
            o.TradeIds.Add(u.Trade!.TradeId);
            (o.TradeQ, o.TradeN) = (tradeQ, tradeN);
        }

        return true;
    }

    private void Finish(ModelSlot slot, OrderStatus status)
    {
        ModelOrder o = slot.Order!;
        slot.Last = new ModelLast(o.Token, o.ClientOrderId, o.OrderId, status, o.Filled, o);
        _finishedClientIds.TryAdd(o.ClientOrderId, slot);
        if (o.OrderId is not null)
        {
            _finishedOrderIds.TryAdd(o.OrderId, slot);
        }

        slot.Order = null;
        slot.Status = SlotStatus.Free;
    }

    /// <summary>Takes parked updates naming these ids, in arrival order, to be re-applied after the current input.</summary>
    private void Redrive(string? cid, string? oid)
    {
        var taken = _parked.Where(p => (oid is not null && p.Update.OrderId == oid) || (cid is not null && p.Update.ClientOrderId == cid)).ToList();
        foreach (var p in taken)
        {
            _parked.Remove(p);
            _redrive.Add(p.Update);
            Counters = Counters with { UpdatesRedriven = Counters.UpdatesRedriven + 1 };
        }
    }

    /// <summary>Re-applies taken updates in order; each may take more, which join the end of the queue.</summary>
    private void DrainRedrives(DateTimeOffset now)
    {
        for (int i = 0; i < _redrive.Count; i++)
        {
            ExpireOld(now);
            if (Route(_redrive[i]) == InputDisposition.Parked)
            {
                throw new InvalidOperationException("a re-driven update did not route");
            }
        }

        _redrive.Clear();
    }

    private static bool IsTerminal(OrderStatus s) => s is OrderStatus.Filled or OrderStatus.Canceled or OrderStatus.Rejected or OrderStatus.Expired;
}

internal sealed class ModelSlot(decimal price)
{
    public decimal Price { get; } = price;
    public SlotStatus Status { get; set; } = SlotStatus.Free;
    public ModelOrder? Order { get; set; }
    public ModelLast? Last { get; set; }
    public decimal Inventory { get; private set; }
    public decimal EntryNotional { get; private set; }
    public decimal EntryFees { get; private set; }
    public decimal Realized { get; private set; }
    public long RoundTrips { get; private set; }
    public decimal BaseFees { get; private set; }
    public SortedDictionary<string, decimal> OtherFees { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Books a fill whose fee is in <paramref name="feeIn"/>: a quote fee is a cost; a base fee is quantity the account
    /// did not get (a buy) or also gave (a sell), so the inventory, the signed base balance, moves by -sign x fee; another
    /// asset's fee is only summed.
    /// </summary>
    /// <returns>Whether it completed a round trip (a close that brought a holding slot to flat).</returns>
    public bool Book(OrderRole role, decimal quantity, decimal notional, string feeIn, decimal fee, int sign)
    {
        decimal quoteFee = feeIn == "quote" ? fee : 0m, baseFee = feeIn == "base" ? fee : 0m;
        BaseFees += baseFee;
        if (feeIn is not ("quote" or "base") && fee != 0)
        {
            OtherFees[feeIn] = OtherFees.GetValueOrDefault(feeIn) + fee;
        }

        if (Inventory == 0 && quantity == 0)
        {
            // A fee alone on a flat slot: a base fee is what the account still owes (a short's buy); a quote fee a cost now.
            Inventory -= sign * baseFee;
            Realized -= quoteFee;
            return false;
        }

        if (role == OrderRole.Open)
        {
            (Inventory, EntryNotional, EntryFees) = (Inventory + quantity - (sign * baseFee), EntryNotional + notional, EntryFees + quoteFee);
            return false;
        }

        decimal taken = quantity + (sign * baseFee); // what leaves the inventory
        bool all = taken >= Inventory;
        decimal entry = all ? EntryNotional : Math.Round(EntryNotional * taken / Inventory, 12, MidpointRounding.ToEven);
        decimal entryFee = all ? EntryFees : Math.Round(EntryFees * taken / Inventory, 12, MidpointRounding.ToEven);
        Realized += (sign * (notional - entry)) - entryFee - quoteFee;
        (Inventory, EntryNotional, EntryFees) = (Inventory - taken, EntryNotional - entry, EntryFees - entryFee);
        if (Inventory == 0)
        {
            RoundTrips++;
            return true;
        }

        return false;
    }

    public SlotView View() => new(
        Price,
        Status,
        Order is null ? null : new OrderView(Order.ClientOrderId, Order.OrderId, Order.Side, Order.Role, Order.Price, Order.Quantity, Order.Filled, Order.Token, Status == SlotStatus.PendingCancel) { ClaimedAt = Order.ClaimedAt, PositionSide = PositionSide.Both }, // one-way: every order is for both
        Inventory,
        EntryNotional,
        EntryFees,
        Realized,
        RoundTrips)
    {
        BaseFees = BaseFees,
        OtherFees = GridPositions.Fills.AssetAmountList.Of([.. OtherFees.Select(f => new AssetAmount(f.Key, f.Value))]),
    };
}

internal sealed class ModelOrder(long token, string clientOrderId, OrderSide side, OrderRole role, decimal price, decimal quantity)
{
    public long Token { get; } = token;
    public string ClientOrderId { get; } = clientOrderId;
    public string? OrderId { get; set; }
    public OrderSide Side { get; } = side;
    public OrderRole Role { get; } = role;
    public decimal Price { get; } = price;
    public decimal Quantity { get; } = quantity;
    public decimal Filled { get; set; }
    public decimal Quote { get; set; }
    public decimal Fee { get; set; }

    // What the order has seen: the highest cumulative quantity reported, its trades by id and their sums, its base fees.
    public decimal Reported { get; set; }
    public HashSet<string> TradeIds { get; } = new(StringComparer.Ordinal);
    public decimal TradeQ { get; set; }
    public decimal TradeN { get; set; }
    public decimal BaseFees { get; set; }

    /// <summary>The asset of the order's fees once one was nonzero (<see cref="ModelManager.FeeIn"/>), else null.</summary>
    public string? FeeIn { get; set; }
    public long CancelToken { get; set; }
    public bool CancelAccepted { get; set; }
    public DateTimeOffset ClaimedAt { get; init; }
}

internal sealed record ModelLast(long Token, string ClientOrderId, string? OrderId, OrderStatus Status, decimal Filled, ModelOrder Order)
{
    public bool Matches(string? orderId, string? clientOrderId) =>
        (orderId is not null && orderId == OrderId) || (clientOrderId is not null && clientOrderId == ClientOrderId);
}
