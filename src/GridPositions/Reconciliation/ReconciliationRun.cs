using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>The state of one <see cref="Reconcile"/> call: the exchange's orders by id, and what was found.</summary>
    private sealed class ReconciliationRun
    {
        private readonly SuperPositionManager _m;
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

        public ReconciliationRun(SuperPositionManager manager, ReconciliationTicket ticket, ExchangeSnapshot exchange, DateTimeOffset now)
        {
            _m = manager;
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

        public ReconciliationReport Report() => new(_exchange.TakenAt, _findings, _cancels, _queries, _drift);

        /// <summary>One slot, under its lock (and the manager's).</summary>
        public void ReconcileSlot_NeedsLocks(Slot slot, ref SlotEffects effects, ref Operation op)
        {
            _m.AssertGlobalLock();
            SuperPositionManager.AssertSlotLock(slot);
            // A claim nobody will answer any more lapses first (a place to Unknown, a cancel back to Live), then is settled
            // below; the lapse itself is not a change "after the ticket" (the epoch is read before it).
            bool changedAfterTicket = slot.ChangedEpoch >= _ticket.Epoch;
            _m.LapseClaims_NeedsSlotLock(slot, _now, ref op);
            if (slot.Status == SlotStatus.Free)
            {
                return;
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
                return;
            }

            if (onExchange is null)
            {
                Missing_NeedsSlotLock(slot, ref effects, ref op);
                return;
            }

            decimal before = slot.Order.FilledQuantity;
            bool wasUnknown = slot.Status == SlotStatus.Unknown;
            OrderUpdate report = onExchange.ToUpdate();
            InputDisposition disposition = slot.ApplyUpdate_NeedsLock(report, _m._sign, ref effects);
            _m.PublishEffects_NeedsSlotLock(slot, effects, ref op);
            _m.PublishIfRejected(disposition, effects, report);
            _m.CountReconciled(disposition, effects);
            if (disposition == InputDisposition.Rejected)
            {
                AddFor(FindingKind.Inconsistent, slot.Price, onExchange, $"the exchange's report was refused: {effects.Detail}");
                return;
            }

            if (effects.HasFill)
            {
                AddFor(FindingKind.MissedFill, slot.Price, onExchange, $"booked {effects.FillQuantity} filled that the slot had not heard of ({before} -> {onExchange.CumulativeFilledQuantity})");
            }

            if (Slot.IsTerminal(onExchange.Status))
            {
                AddFor(FindingKind.FinishedOnExchange, slot.Price, onExchange, $"the order had finished {onExchange.Status} with {onExchange.CumulativeFilledQuantity} filled; the slot is free");
            }
            else if (wasUnknown)
            {
                AddFor(FindingKind.UnknownResolved, slot.Price, onExchange, "the ambiguous place is live on the exchange; the slot has it");
            }
        }

        /// <summary>
        /// Our order is not on the exchange: an ambiguous place that is old enough never arrived (a younger one may still
        /// be in flight, so it waits); anything else must be queried.
        /// </summary>
        private void Missing_NeedsSlotLock(Slot slot, ref SlotEffects effects, ref Operation op)
        {
            SuperPositionManager.AssertSlotLock(slot);
            bool ambiguous = slot.Status == SlotStatus.Unknown && slot.Order.OrderId is null && slot.Order.FilledQuantity == 0;
#if FAULT_INJECTION
            ambiguous |= slot.Status == SlotStatus.PendingPlace && Diagnostics.FaultInjection.Is(Diagnostics.Fault.ReconcileIgnoresDeferral);
#endif
            DateTimeOffset since = slot.Order.UnknownSince ?? DateTimeOffset.MinValue;
            if (ambiguous && _exchange.TakenAt - since < _m.Settings.AmbiguousPlaceGracePeriod)
            {
                AddForSlot(FindingKind.Deferred, slot, $"left alone: the ambiguous place is younger than the grace period ({_m.Settings.AmbiguousPlaceGracePeriod}); it may still be in flight");
                return;
            }

            if (ambiguous)
            {
                string clientOrderId = slot.Order.ClientOrderId;
                slot.ResolveNeverPlaced_NeedsLock(ref effects);
                AddRaw(FindingKind.NeverPlaced, slot.Price, null, clientOrderId, "the ambiguous place never reached the exchange; the slot is free");
                _m.SlotChanged_NeedsSlotLock(slot, ref op);
                return;
            }

            string id = slot.Order.OrderId ?? slot.Order.ClientOrderId;
            _queries.Add(id);
            AddForSlot(FindingKind.MissingOnExchange, slot, "neither open nor recently closed on the exchange; query its final state");
        }

        /// <summary>Exchange orders no slot accounted for: known finished ones, ours to adopt or cancel, foreign ones.</summary>
        public void ReconcileUnknownOrders_NeedsGlobalLock(ref Operation op)
        {
            _m.AssertGlobalLock();
            foreach (ExchangeOrder order in _exchange.OpenOrders.Concat(_exchange.RecentlyClosedOrders ?? []))
            {
                if (!_accounted.Add(order.OrderId))
                {
                    continue;
                }

                bool open = !Slot.IsTerminal(order.Status);
                bool ours = order.ClientOrderId is { } cid && cid.StartsWith(_m.Settings.ClientOrderIdPrefix, StringComparison.Ordinal);
                if (_m._book.TryRoute_NeedsLock(order.OrderId, order.ClientOrderId, out Slot? known))
                {
                    // Routed to a slot whose current order is not this one: the slot saw it finish.
                    if (open)
                    {
                        _cancels.Add(CancelOf(order, known.Price));
                        AddFor(FindingKind.FinishedButOpenOnExchange, known.Price, order, "the slot saw this order finish, but it is open on the exchange; cancel it");
                    }
                }
                else if (ours && open && TryAdopt_NeedsGlobalLock(order, ref op))
                {
                    // Stryker disable once Statement : the branches below are else-ifs of this one
                    continue;
                }
                else if (ours)
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
        }

        /// <summary>An open order of ours that no slot knows, opening at a free flat level: that slot takes it.</summary>
        private bool TryAdopt_NeedsGlobalLock(ExchangeOrder order, ref Operation op)
        {
            _m.AssertGlobalLock();
            if (order.Side != _m._openingSide || !_m._grid.TryGetTicks(order.Price, out long key) || !_m._grid.IsValidQuantity(order.Quantity)
                || !Fills.Amounts.ProductFits(order.Price, order.Quantity))
            {
                return false;
            }

            // A level never used gets a slot only if it adopts the order: a refusal leaves no trace.
            bool isNew = !_m._book.TryGet(key, out Slot? slot);
            slot ??= new Slot(key, _m._grid.ToPrice(key));
            SlotEffects effects = default;
            InputDisposition disposition;
            using (slot.Enter())
            {
                if (slot.Status != SlotStatus.Free || !slot.Position.IsFlat || slot.ChangedEpoch >= _ticket.Epoch || slot.Lease.IsHeld(_now))
                {
                    return false;
                }

                var action = new OrderAction(OrderActionType.Place, slot.Price, order.Side, order.Price, order.Quantity, order.ClientOrderId!, null, _m._book.TakeClaimToken_NeedsLock());
                slot.BeginOrder_NeedsLock(action, OrderRole.Open, _now);
                OrderUpdate report = order.ToUpdate();
                disposition = slot.ApplyUpdate_NeedsLock(report, _m._sign, ref effects);
                effects.Changed = true;
                _m.PublishEffects_NeedsSlotLock(slot, effects, ref op);
                _m.PublishIfRejected(disposition, effects, report);
                _m.CountReconciled(disposition, effects);
            }

            if (isNew)
            {
                _m._book.Add_NeedsLock(slot);
            }

            _m._book.IndexClientId_NeedsLock(order.ClientOrderId!, slot);
            _m.SyncIndex_NeedsGlobalLock(slot, effects, ref op);
            // A refused report still leaves the order with the slot (it must not be orphaned); its fill waits for a report the slot can book.
            AddFor(FindingKind.Adopted, slot.Price, order, disposition == InputDisposition.Rejected
                ? $"an open order of ours no slot knew; slot {slot.Price} adopted it, but refused its report: {effects.Detail}"
                : $"an open order of ours no slot knew; slot {slot.Price} adopted it with {order.CumulativeFilledQuantity} filled");
            return true;
        }

        public void ComparePositions_NeedsGlobalLock()
        {
            _m.AssertGlobalLock();
            if (_exchange.Position is not { } exchangePosition)
            {
                return;
            }

            decimal ours = 0;
            foreach (Slot slot in _m._book.Slots)
            {
                using (slot.Enter())
                {
                    // Stryker disable once Arithmetic : the sign is +1 or -1, so dividing by it is multiplying by it
                    ours += slot.Position.Inventory * _m._sign;
                }
            }

            _drift = exchangePosition - ours;
            if (_drift != 0)
            {
                int deferred = _findings.Count(f => f.Kind == FindingKind.Deferred);
                AddRaw(FindingKind.PositionDrift, null, null, null, $"the exchange holds {exchangePosition}, the slots {ours} (drift {_drift}{(deferred > 0 ? $"; {deferred} slot(s) deferred" : "")})");
            }
        }

        private ExchangeOrder? Find(string? orderId, string? clientOrderId) =>
            orderId is not null && _byOrderId.TryGetValue(orderId, out ExchangeOrder? byId) ? byId
            : clientOrderId is not null && _byClientId.TryGetValue(clientOrderId, out ExchangeOrder? byClient) ? byClient
            : null;

        private static OrderAction CancelOf(ExchangeOrder order, decimal slotPrice) =>
            new(OrderActionType.Cancel, slotPrice, order.Side, order.Price, order.Quantity, order.ClientOrderId ?? "", order.OrderId, 0);

        private void AddForSlot(FindingKind kind, Slot slot, string detail) => AddRaw(kind, slot.Price, slot.Order.OrderId, slot.Order.ClientOrderId, detail);

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

    /// <summary>Counts a reconciliation's applied report like an order update, so every fill stays accounted for.</summary>
    private void CountReconciled(InputDisposition disposition, in SlotEffects effects)
    {
        _counters.Count(disposition, isUpdate: true);
        if (effects.HasFill)
        {
            _counters.Increment(Diagnostics.Counter.FillsApplied);
        }

        if (effects.CompletedTrip is not null)
        {
            _counters.Increment(Diagnostics.Counter.RoundTripsCompleted);
        }
    }
}
