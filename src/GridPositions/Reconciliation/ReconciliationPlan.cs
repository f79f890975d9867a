using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Reconciliation;

/// <summary>What reconciliation does with one slot, decided from its state alone.</summary>
internal enum SlotStep
{
    /// <summary>Nothing to change (free, deferred, or to be queried: the plan recorded why).</summary>
    None,

    /// <summary>Apply <see cref="ReconciliationPlan.ReportFor"/>'s report of the exchange's order, like any update.</summary>
    ApplyReport,

    /// <summary>The ambiguous place never reached the exchange: free the slot.</summary>
    NeverPlaced,
}

/// <summary>What reconciliation does with an exchange order no slot accounted for.</summary>
internal enum OrderStep
{
    /// <summary>Nothing (already accounted for, or a finished order the books know).</summary>
    None,

    /// <summary>Ours, open, and shaped like an opening order on the grid: a free flat slot at its price may adopt it.</summary>
    TryAdopt,
}

/// <summary>
/// One <see cref="SuperPositionManager.Reconcile"/> pass as decisions over values: the exchange's orders by id, what
/// to do with each slot state and each unaccounted order, and what was found (findings, cancels, queries, drift).
/// It reads no manager state and takes no lock; <see cref="Reconciler"/> reads the states and applies the steps
/// through the slots' own verbs, one slot at a time.
/// </summary>
internal sealed class ReconciliationPlan
{
    private readonly ManagerContext _context;
    private readonly ReconciliationTicket _ticket;
    private readonly ExchangeSnapshot _exchange;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<string, ExchangeOrder> _byOrderId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExchangeOrder> _byClientId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _accounted = new(StringComparer.Ordinal);
    private readonly List<ReconciliationFinding> _findings = [];
    private readonly List<OrderAction> _cancels = [];
    private readonly List<string> _queries = [];
    private decimal? _drift;

    /// <exception cref="ArgumentException">An exchange order is malformed (named by its list and index).</exception>
    public ReconciliationPlan(ManagerContext context, ReconciliationTicket ticket, ExchangeSnapshot exchange, DateTimeOffset now)
    {
        _context = context;
        _ticket = ticket;
        _exchange = exchange;
        _now = now;
        string? problem = Index(exchange.OpenOrders, open: true, nameof(ExchangeSnapshot.OpenOrders))
            ?? Index(exchange.RecentlyClosedOrders ?? [], open: false, nameof(ExchangeSnapshot.RecentlyClosedOrders))
            ?? (exchange.Position is { } position && !Fills.Amounts.Fits(position) ? $"Exchange snapshot's Position {position} is beyond the bound of {Fills.Amounts.Max:N0}." : null);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(exchange));
        }
    }

    public DateTimeOffset Now => _now;

    public long Epoch => _ticket.Epoch;

    public ReconciliationReport Report() => new(_exchange.TakenAt, _findings, _cancels, _queries, _drift);

    // ---- Slots --------------------------------------------------------------------------------------------------

    /// <summary>
    /// Decides one slot from its state (read under its lock after its lapsed claims ended). A slot that changed after
    /// the ticket, whose place result has not arrived, or that a lease holds is left alone; an order missing on the
    /// exchange is queried, unless it is an ambiguous place past the grace period, which never arrived.
    /// </summary>
    public SlotStep Decide(in SlotState slot, bool changedAfterTicket)
    {
        if (slot.Status == SlotStatus.Free)
        {
            return SlotStep.None;
        }

        ExchangeOrder? onExchange = Find(slot.Order.OrderId, slot.Order.ClientOrderId);
        if (onExchange is not null)
        {
            _accounted.Add(onExchange.OrderId);
        }

        string? deferral = changedAfterTicket ? "it changed after the reconciliation began"
            : slot.Status == SlotStatus.PendingPlace ? "its place result has not arrived"
            : slot.Lease.IsHeld(_now) && slot.Status != SlotStatus.Unknown ? $"its position is held by a {slot.Lease.Kind} lease" // an ambiguous order only reconciliation can settle
            : null;
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.ReconcileIgnoresDeferral))
        {
            deferral = null;
        }
#endif
        if (deferral is not null)
        {
            AddForSlot(FindingKind.Deferred, slot, $"left alone: {deferral}");
            return SlotStep.None;
        }

        return onExchange is null ? Missing(slot) : SlotStep.ApplyReport;
    }

    /// <summary>The exchange's report of the slot's order (after deciding <see cref="SlotStep.ApplyReport"/>).</summary>
    public ExchangeOrder ReportFor(in SlotState slot) => Find(slot.Order.OrderId, slot.Order.ClientOrderId)!;

    /// <summary>Records what applying the exchange's report did to the slot whose state before it was <paramref name="before"/>.</summary>
    public void Applied(in SlotState before, ExchangeOrder onExchange, InputDisposition disposition, in SlotEffects effects)
    {
        if (disposition == InputDisposition.Rejected)
        {
            AddFor(FindingKind.Inconsistent, before.Price, onExchange, $"the exchange's report was refused: {effects.Detail}");
            return;
        }

        if (effects.HasFill)
        {
            AddFor(FindingKind.MissedFill, before.Price, onExchange, effects.FillQuantity != 0
                ? $"booked {effects.FillQuantity} filled that the slot had not heard of ({before.Order.FilledQuantity} -> {onExchange.CumulativeFilledQuantity})"
                : $"booked a fee of {effects.FillFee} in {effects.FillFeeCharge} that the slot had not heard of (its fill was booked from trades)");
        }

        if (Slot.IsTerminal(onExchange.Status))
        {
            AddFor(FindingKind.FinishedOnExchange, before.Price, onExchange, $"the order had finished {onExchange.Status} with {onExchange.CumulativeFilledQuantity} filled; the slot is free");
        }
        else if (before.Status == SlotStatus.Unknown)
        {
            AddFor(FindingKind.UnknownResolved, before.Price, onExchange, "the ambiguous place is live on the exchange; the slot has it");
        }
    }

    /// <summary>
    /// Our order is not on the exchange: an ambiguous place that is old enough never arrived (a younger one may still
    /// be in flight, so it waits); anything else must be queried.
    /// </summary>
    private SlotStep Missing(in SlotState slot)
    {
        bool ambiguous = slot.Status == SlotStatus.Unknown && slot.Order.OrderId is null && slot.Order.FilledQuantity == 0;
#if FAULT_INJECTION
        ambiguous |= slot.Status == SlotStatus.PendingPlace && Diagnostics.FaultInjection.Is(Diagnostics.Fault.ReconcileIgnoresDeferral);
#endif
        TimeSpan grace = _context.Settings.AmbiguousPlaceGracePeriod;
        DateTimeOffset since = slot.Order.UnknownSince ?? DateTimeOffset.MinValue;
        if (ambiguous && _exchange.TakenAt - since < grace)
        {
            AddForSlot(FindingKind.Deferred, slot, $"left alone: the ambiguous place is younger than the grace period ({grace}); it may still be in flight");
            return SlotStep.None;
        }

        if (ambiguous)
        {
            AddRaw(FindingKind.NeverPlaced, slot.Price, null, slot.Order.ClientOrderId, "the ambiguous place never reached the exchange; the slot is free");
            return SlotStep.NeverPlaced;
        }

        _queries.Add(slot.Order.OrderId ?? slot.Order.ClientOrderId);
        AddForSlot(FindingKind.MissingOnExchange, slot, "neither open nor recently closed on the exchange; query its final state");
        return SlotStep.None;
    }

    // ---- Orders no slot accounted for ---------------------------------------------------------------------------

    /// <summary>The exchange's orders, open ones first, that no slot accounted for (each once).</summary>
    public IEnumerable<ExchangeOrder> Unaccounted() =>
        _exchange.OpenOrders.Concat(_exchange.RecentlyClosedOrders ?? []).Where(o => _accounted.Add(o.OrderId));

    /// <summary>
    /// Decides an order no slot accounted for, given the slot its ids route to, if any, and whether that slot's current
    /// order is this one (it took the order after the slot pass read it: the slot's own business, nothing to do).
    /// Otherwise a known one still open is cancelled (the slot saw it finish); an open one of ours may be adopted; any
    /// other of ours is reported (cancelled if open); a foreign open one is reported and never touched.
    /// </summary>
    public OrderStep Decide(ExchangeOrder order, decimal? routedTo, bool isCurrent)
    {
        bool open = !Slot.IsTerminal(order.Status);
        if (routedTo is { } known)
        {
            // Routed to a slot whose current order is not this one: the slot saw it finish.
            if (open && !isCurrent)
            {
                _cancels.Add(CancelOf(order, known));
                AddFor(FindingKind.FinishedButOpenOnExchange, known, order, "the slot saw this order finish, but it is open on the exchange; cancel it");
            }

            return OrderStep.None;
        }

        if (IsOurs(order) && open && IsAdoptable(order))
        {
            return OrderStep.TryAdopt;
        }

        NotAdopted(order);
        return OrderStep.None;
    }

    /// <summary>An order that no slot took: ours is reported (and cancelled if open), a foreign open one is reported.</summary>
    public void NotAdopted(ExchangeOrder order)
    {
        bool open = !Slot.IsTerminal(order.Status);
        if (IsOurs(order))
        {
            if (open)
            {
                _cancels.Add(CancelOf(order, order.Price));
            }

            AddFor(FindingKind.UnattributedOwnOrder, null, order, open
                ? "carries our client id prefix but no slot can own it; cancel it"
                : $"carries our client id prefix, finished {order.Status} with {order.CumulativeFilledQuantity} filled, and no slot knew it; see the position drift");
        }
        else if (open)
        {
            AddFor(FindingKind.ForeignOrder, null, order, "not ours; left untouched");
        }
    }

    /// <summary>Whether a slot in <paramref name="slot"/>'s state may adopt an order: free, flat, unchanged since the ticket, not leased.</summary>
    public bool CanAdopt(in SlotState slot, bool changedAfterTicket) =>
        slot.Status == SlotStatus.Free && slot.Position.IsFlat && !changedAfterTicket && !slot.Lease.IsHeld(_now);

    public void Adopted(ExchangeOrder order, decimal slotPrice, InputDisposition disposition, in SlotEffects effects) =>
        // A refused report still leaves the order with the slot (it must not be orphaned); its fill waits for a report the slot can book.
        AddFor(FindingKind.Adopted, slotPrice, order, disposition == InputDisposition.Rejected
            ? $"an open order of ours no slot knew; slot {slotPrice} adopted it, but refused its report: {effects.Detail}"
            : $"an open order of ours no slot knew; slot {slotPrice} adopted it with {order.CumulativeFilledQuantity} filled");

    private bool IsOurs(ExchangeOrder order) =>
        order.ClientOrderId is { } cid && cid.StartsWith(_context.Settings.ClientOrderIdPrefix, StringComparison.Ordinal);

    /// <summary>An opening order at a level of the grid, for a quantity the slot could hold.</summary>
    private bool IsAdoptable(ExchangeOrder order) =>
        order.Side == _context.OpeningSide && _context.Grid.TryGetTicks(order.Price, out _) && _context.Grid.IsValidQuantity(order.Quantity)
        && Fills.Amounts.ProductFits(order.Price, order.Quantity);

    // ---- Position -----------------------------------------------------------------------------------------------

    /// <summary>Compares the exchange's position with the slots' signed inventory, if the snapshot has one.</summary>
    public void ComparePosition(Func<decimal> signedInventory)
    {
        if (_exchange.Position is not { } exchangePosition)
        {
            return;
        }

        decimal ours = signedInventory();
        _drift = exchangePosition - ours;
        if (_drift != 0)
        {
            int deferred = _findings.Count(f => f.Kind == FindingKind.Deferred);
            AddRaw(FindingKind.PositionDrift, null, null, null, $"the exchange holds {exchangePosition}, the slots {ours} (drift {_drift}{(deferred > 0 ? $"; {deferred} slot(s) deferred" : "")})");
        }
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    private ExchangeOrder? Find(string? orderId, string? clientOrderId) =>
        orderId is not null && _byOrderId.TryGetValue(orderId, out ExchangeOrder? byId) ? byId
        : clientOrderId is not null && _byClientId.TryGetValue(clientOrderId, out ExchangeOrder? byClient) ? byClient
        : null;

    private static OrderAction CancelOf(ExchangeOrder order, decimal slotPrice) =>
        new(OrderActionType.Cancel, slotPrice, order.Side, order.Price, order.Quantity, order.ClientOrderId ?? "", order.OrderId, 0);

    private void AddForSlot(FindingKind kind, in SlotState slot, string detail) => AddRaw(kind, slot.Price, slot.Order.OrderId, slot.Order.ClientOrderId, detail);

    private void AddFor(FindingKind kind, decimal? slotPrice, ExchangeOrder? order, string detail) => AddRaw(kind, slotPrice, order?.OrderId, order?.ClientOrderId, detail);

    private void AddRaw(FindingKind kind, decimal? slotPrice, string? orderId, string? clientOrderId, string detail) => _findings.Add(new(kind, slotPrice, orderId, clientOrderId, detail));

    /// <summary>The same bound as any input: an order's amounts the manager could never book.</summary>
    private static string? DescribeBeyondBound(ExchangeOrder order) =>
        !Fills.Amounts.Fits(order.Price) ? Fills.Amounts.Describe("has a price", order.Price)
        : !Fills.Amounts.Fits(order.Quantity) ? Fills.Amounts.Describe("has a quantity", order.Quantity)
        : order.CumulativeQuoteQuantity is { } quote && !Fills.Amounts.Fits(quote) ? Fills.Amounts.Describe("has a notional", quote)
        : !Fills.Amounts.Fits(order.CumulativeFee) ? Fills.Amounts.Describe("has a fee", order.CumulativeFee)
        : null;

    /// <summary>Indexes one list of the exchange's orders; returns what is wrong with it, if anything.</summary>
    private string? Index(IReadOnlyList<ExchangeOrder>? orders, bool open, string list)
    {
        if (orders is null)
        {
            return $"Exchange snapshot's {list} is null.";
        }

        for (int i = 0; i < orders.Count; i++)
        {
            ExchangeOrder order = orders[i];
            string name = $"{list}[{i}]";
            string? problem = order is null ? "is null"
                : string.IsNullOrWhiteSpace(order.OrderId) ? "has no OrderId"
                : order.Side is not (OrderSide.Buy or OrderSide.Sell) ? $"has side {order.Side}"
                : open ? (order.Status is OrderStatus.New or OrderStatus.PartiallyFilled ? null : $"is listed open with status {order.Status}")
                : (Slot.IsTerminal(order.Status) ? null : $"is listed closed with status {order.Status}");
            problem ??= order!.Quantity <= 0 || order.CumulativeFilledQuantity < 0 || order.CumulativeFilledQuantity > order.Quantity
                ? $"has {order.CumulativeFilledQuantity} filled of {order.Quantity}"
                : order.CumulativeQuoteQuantity < 0 ? $"has a negative notional {order.CumulativeQuoteQuantity}"
                : DescribeBeyondBound(order) is { } beyond ? beyond
                : order.FeeAsset is not null && _context.FeeAssets.Describe(order.FeeAsset, "FeeAsset") is { } asset ? $"has an unusable fee asset ({asset.TrimEnd('.')})"
                : !_byOrderId.TryAdd(order.OrderId, order) ? $"repeats order id {order.OrderId}"
                : null;
            if (problem is not null)
            {
                return $"Exchange order {name} {problem}.";
            }

            if (!string.IsNullOrWhiteSpace(order!.ClientOrderId))
            {
                _byClientId.TryAdd(order.ClientOrderId, order);
            }
        }

        return null;
    }
}
