using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Model;

/// <summary>
/// Random sequences of claims, executor results and exchange updates (duplicated, reordered, early, stripped of an id,
/// now and then an overfill) go to the manager and to <see cref="ModelManager"/>. After every step both must agree on
/// every slot, every counter and every disposition, and the manager's invariants must hold. At the end the exchange's
/// own books must match the manager's inventory and profit.
/// </summary>
public class ModelPropertyTests
{
    private static readonly decimal[] s_levels = [100m, 101m, 102m, 103m];

    [Fact]
    public void RandomTraffic_ManagerMatchesTheSequentialModel_AndTheExchangesBooks()
    {
        int restarts = 0, shortGrids = 0, switches = 0, baseFees = 0, otherFees = 0, trades = 0;
        Gen.Int[0, int.MaxValue].Array[1, 160].Sample(ops =>
        {
            var scenario = new Scenario(ops);
            scenario.Run();
            Interlocked.Add(ref restarts, scenario.Restarts);
            Interlocked.Add(ref switches, scenario.FeeAssetSwitches);
            Interlocked.Add(ref baseFees, scenario.SlotsWithBaseFees);
            Interlocked.Add(ref otherFees, scenario.SlotsWithOtherFees);
            Interlocked.Add(ref shortGrids, ops[0] % 2);
            Interlocked.Add(ref trades, scenario.Trades);
        }, iter: 800);

        // The samples must cover restarts mid-run and short grids, or the comparison proves nothing about them.
        // ... and fees in each asset, and reports that restate an order's fees in another.
        // ... and trades beside, inside or instead of the cumulative reports.
        Assert.True(restarts > 200 && shortGrids > 200 && switches > 5 && baseFees > 100 && otherFees > 200 && trades > 1000, $"{restarts} restarts, {shortGrids} short grids, {switches} fee-asset switches, {baseFees} slots with base fees, {otherFees} with BNB fees, {trades} trades in 800 runs");
    }

    [Fact]
    public void KnownTricky_FillBeforeResult_DuplicatedAndReordered()
    {
        // Hand-picked op codes exercising early fills and duplicate deliveries; the random test covers the rest.
        new Scenario([10, 3, 41, 1004, 5, 7, 17, 8, 27, 10, 3, 14, 7, 7, 7, 8, 8]).Run();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A restart abandons the old manager as a crash would; these managers have no store to give back.")]
    private sealed class Scenario(int[] ops)
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        private readonly List<OrderAction> _inflight = [];
        private readonly List<object> _outbox = []; // OrderActionResult or OrderUpdate
        private readonly List<ExchangeOrder> _exchange = [];
        private SuperPositionManager _manager = null!;
        private ModelManager _model = null!;
        private int _step;
        private int _restarts;
        private int _feeAssetSwitches;
        private int _slotsWithBaseFees;
        private int _slotsWithOtherFees;
        private int _nextOrderId = 1;
        private int _trades;

        public int Restarts => _restarts;

        public int Trades => _trades;

        public int FeeAssetSwitches => _feeAssetSwitches;

        public int SlotsWithBaseFees => _slotsWithBaseFees;

        public int SlotsWithOtherFees => _slotsWithOtherFees;

        public void Run()
        {
            GridDirection direction = ops[0] % 2 == 0 ? GridDirection.Long : GridDirection.Short;
            var options = new PositionManagerOptions
            {
                Symbol = "SIM",
                TickSize = 1m,
                QuantityStep = 1m,
                Direction = direction,
                ParkedUpdateCapacity = 4,
                ParkedUpdateTimeToLive = TimeSpan.FromSeconds(10),
                PendingClaimTimeout = TimeSpan.FromDays(365), // the model has no claim timeout; ClaimTimeoutTests cover it
                BaseAsset = "SIM", // fees come in the base asset, the quote asset and BNB (ExchangeOrder.FeeAsset)
                QuoteAsset = "USD",
            };
            _manager = new SuperPositionManager(options, _time);
            _model = new ModelManager(direction, options.ParkedUpdateCapacity, options.ParkedUpdateTimeToLive);

            foreach (int op in ops)
            {
                _step++;
                Step(op);
                Compare($"after op {op}");
            }

            // Deliver everything outstanding, then the exchange's final word on every order, with both ids.
            while (_outbox.Count > 0)
            {
                Deliver(0, duplicate: false);
                Compare("while draining");
            }

            foreach (ExchangeOrder order in _exchange)
            {
                DeliverUpdate(order.Update(order.Status, bothIds: true));
                Compare("after the final word");
            }

            AssertBooksMatchTheExchange();

        }

        private void Step(int op)
        {
            int kind = op % 10, arg = op / 10;
            decimal level = s_levels[arg % s_levels.Length];
            switch (kind)
            {
                case 0 or 1:
                    ClaimPlace(level, arg / 4);
                    break;
                case 2:
                    Claim(ClaimRequest.Cancel(level));
                    break;
                case 3:
                    Execute(arg);
                    break;
                case 4 or 5:
                    Fill(arg);
                    break;
                case 6:
                    ExpireOrOverfill(arg);
                    break;
                case 7 or 8:
                    if (_outbox.Count > 0)
                    {
                        Deliver(arg % _outbox.Count, duplicate: (arg / 7) % 4 == 0);
                    }

                    break;
                default:
                    _time.Advance(TimeSpan.FromSeconds(arg % 15));
                    if (arg % 3 == 0)
                    {
                        _manager.ExpireParkedUpdates();
                        _model.Expire(_time.GetUtcNow());
                    }
                    else if (arg % 3 == 1)
                    {
                        // A restart in the middle of the run: the manager restored from its own snapshot must go on
                        // exactly as the model, which knows nothing of restarts (parked updates, finished orders,
                        // counters and sequences are all in the snapshot).
                        _manager = SuperPositionManager.Restore(_manager.CreateSnapshot(), _manager.Options, _time);
                        _restarts++;
                    }

                    break;
            }
        }

        private void ClaimPlace(decimal level, int arg)
        {
            bool close = arg % 2 == 1;
            decimal held = _manager.GetSlot(level)?.Inventory ?? 0m;
            decimal quantity = 1 + ((arg / 2) % 3);
            if (close && held > 0 && (arg / 6) % 3 != 0)
            {
                quantity = Math.Min(quantity, held); // usually a sensible close; sometimes an oversell attempt
            }

            OrderSide side = close ? _manager.ClosingSide : _manager.OpeningSide;
            decimal price = close ? level + (_model.Sign * 2) : level;
            Claim(ClaimRequest.Place(level, side, price, quantity));
        }

        private void Claim(ClaimRequest request)
        {
            (ClaimRejection expected, long token) = _model.Claim(request);
            ClaimResult result = _manager.ClaimSlot(request);
            Assert.Equal(expected, result.Rejection);
            if (result.IsAccepted)
            {
                Assert.Equal(token, result.Action.ClaimToken);
                _model.Claimed(result.Action, _time.GetUtcNow());
                _inflight.Add(result.Action);
            }
        }

        /// <summary>The executor sends an action; the exchange acts; the result and any updates join the outbox.</summary>
        private void Execute(int arg)
        {
            if (_inflight.Count == 0)
            {
                return;
            }

            OrderAction action = _inflight[arg % _inflight.Count];
            _inflight.Remove(action);
            int roll = (arg / 7) % 10;
            if (action.Type == OrderActionType.Cancel)
            {
                ExchangeOrder? target = _exchange.FirstOrDefault(o => o.ClientOrderId == action.ClientOrderId);
                bool open = target is { IsOpen: true };
                if (open && roll < 8)
                {
                    target!.Status = OrderStatus.Canceled;
                    _outbox.Add(target.Update(OrderStatus.Canceled, bothIds: roll % 2 == 0));
                }

                _outbox.Add(roll switch
                {
                    < 6 when open => OrderActionResult.Canceled(action),
                    < 8 when open => OrderActionResult.Ambiguous(action, "timeout"),
                    _ => OrderActionResult.Failed(action, "unknown order"),
                });
                return;
            }

            switch (roll)
            {
                case < 6:
                    ExchangeOrder placed = Open(action);
                    _outbox.Add(OrderActionResult.Placed(action, placed.OrderId));
                    break;
                case < 8:
                    _outbox.Add(OrderActionResult.Failed(action, "rejected"));
                    if (roll == 7)
                    {
                        _outbox.Add(new OrderUpdate { ClientOrderId = action.ClientOrderId, Status = OrderStatus.Rejected });
                    }

                    break;
                case 8:
                    Open(action);
                    _outbox.Add(OrderActionResult.Ambiguous(action, "timeout after sending"));
                    break;
                default:
                    _outbox.Add(OrderActionResult.Ambiguous(action, "timeout before sending"));
                    break;
            }

            ExchangeOrder Open(OrderAction a)
            {
                var order = new ExchangeOrder("E" + _nextOrderId++, a);
                _exchange.Add(order);
                _outbox.Add(order.Update(OrderStatus.New, bothIds: arg % 3 != 0, stripClient: arg % 5 == 0));
                return order;
            }
        }

        private void Fill(int arg)
        {
            var open = _exchange.Where(o => o.IsOpen).ToList();
            if (open.Count == 0)
            {
                return;
            }

            ExchangeOrder order = open[arg % open.Count];
            decimal remaining = order.Action.Quantity - order.Filled; // below one when a close is for an inventory a base fee made fractional
            TradeFill trade = order.Fill(remaining <= 1 ? remaining : 1 + ((arg / 3) % (int)remaining), improvement: (arg / 11) % 7 * 0.13m);
            OrderUpdate report = order.Update(order.Status, bothIds: arg % 4 != 0, stripClient: arg % 7 == 0, withQuote: order.Improved || arg % 2 == 0);
            OrderUpdate alone = new TradeReport { OrderId = arg % 5 == 0 ? null : order.OrderId, ClientOrderId = order.ClientOrderId, TradeId = trade.TradeId, Quantity = trade.Quantity, Price = trade.Price }.ToUpdate();

            // The fill reaches the bot as the order's totals, as those and its trade on two streams, as one report
            // carrying both (Binance), or only as the trade (the totals, and so the fee, come with a later report: the
            // one that ends the order, which every venue sends).
            switch ((arg / 13) % 4)
            {
                case 0:
                    _outbox.Add(report);
                    break;
                case 1:
                    _outbox.Add(report);
                    _outbox.Add(alone);
                    _trades++;
                    break;
                case 2:
                    _outbox.Add(report with { Trade = trade, CumulativeQuoteQuantity = order.Quote });
                    _trades++;
                    break;
                default:
                    _outbox.Add(alone);
                    if (order.Status == OrderStatus.Filled)
                    {
                        _outbox.Add(report);
                    }

                    _trades++;
                    break;
            }
        }

        private void ExpireOrOverfill(int arg)
        {
            var open = _exchange.Where(o => o.IsOpen).ToList();
            if (open.Count == 0)
            {
                return;
            }

            ExchangeOrder order = open[arg % open.Count];
            if (arg % 2 == 0)
            {
                order.Status = OrderStatus.Expired;
                _outbox.Add(order.Update(OrderStatus.Expired, bothIds: true));
            }
            else if (open.Any(o => _model.Slot(o.Action.SlotPrice)?.Order is { Fee: not 0 } m && m.ClientOrderId == o.ClientOrderId))
            {
                // A corrupt report: the rest filled with the fees so far restated in another asset. Sent now, and only
                // for an order the manager has booked a fee for, so it is rejected (first, it would be believed).
                var booked = open.Where(o => _model.Slot(o.Action.SlotPrice)?.Order is { Fee: not 0 } m && m.ClientOrderId == o.ClientOrderId).ToList();
                if (booked.Count > 0)
                {
                    order = booked[arg % booked.Count];
                    string other = order.FeeAsset == "BNB" ? "USD" : "BNB";
                    decimal rest = order.Action.Quantity - order.Filled;
                    OrderUpdate restated = order.Update(OrderStatus.Filled, bothIds: true) with
                    {
                        CumulativeFilledQuantity = order.Action.Quantity,
                        CumulativeQuoteQuantity = order.Quote + (rest * order.Action.Price),
                        FeeAsset = other,
                    };
                    Assert.Equal(InputDisposition.Rejected, _manager.OnOrderUpdate(restated));
                    Assert.Equal(InputDisposition.Rejected, _model.OnUpdate(restated, _time.GetUtcNow()));
                    _feeAssetSwitches++;
                }
            }
            else
            {
                // A corrupt report: more filled than the order's quantity. Not exchange truth; must be rejected.
                _outbox.Add(order.Update(OrderStatus.Filled, bothIds: true) with { CumulativeFilledQuantity = order.Action.Quantity + 1 });
            }
        }

        private void Deliver(int index, bool duplicate)
        {
            object message = _outbox[index];
            if (!duplicate)
            {
                _outbox.RemoveAt(index);
            }

            if (message is OrderUpdate update)
            {
                DeliverUpdate(update);
                return;
            }

            var result = (OrderActionResult)message;
            (InputDisposition expected, bool cancel) = _model.ApplyResult(result, _time.GetUtcNow());
            ResultOutcome outcome = _manager.ApplyActionResults([result])[0];
            Assert.Equal(expected, outcome.Disposition);
            Assert.Equal(cancel, outcome.CancelToIssue is not null);
            if (outcome.CancelToIssue is { } orphan)
            {
                // The executor cancels the orphan; the exchange reports it if it was still open, and so does the executor.
                ExchangeOrder? target = _exchange.FirstOrDefault(o => o.OrderId == orphan.OrderId);
                bool open = target is { IsOpen: true };
                if (open)
                {
                    target!.Status = OrderStatus.Canceled;
                    _outbox.Add(target.Update(OrderStatus.Canceled, bothIds: true));
                }

                _outbox.Add(open ? OrderActionResult.Canceled(orphan) : OrderActionResult.Failed(orphan, "unknown order"));
            }
        }

        private void DeliverUpdate(OrderUpdate update)
        {
            InputDisposition expected = _model.OnUpdate(update, _time.GetUtcNow());
            Assert.Equal(expected, _manager.OnOrderUpdate(update));
        }

        private void Compare(string when)
        {
            string context = $"step {_step} {when}";
            InvariantCheckResult check = _manager.CheckInvariants();
            Assert.True(check.Holds, $"{context}: {check.Violation}");
            Assert.Equal(_model.Views(), _manager.GetSlots());
            Assert.Equal(_model.Counters, _manager.Counters);
            Assert.Equal(_model.ParkedCount, _manager.ParkedUpdateCount);
        }

        /// <summary>Inventory and, for flat slots, realised profit equal what the exchange's fills imply.</summary>
        private void AssertBooksMatchTheExchange()
        {
            foreach (SlotView slot in _manager.GetSlots())
            {
                var orders = _exchange.Where(o => o.Action.SlotPrice == slot.Price).ToList();
                // The account's base balance from this level's orders: buys add what was received, sells take what was given.
                decimal balance = orders.Sum(o => (o.Action.Side == OrderSide.Buy ? o.Filled : -o.Filled) - (o.FeeAsset == "SIM" ? o.Fee : 0m));
                Assert.Equal(_model.Sign * balance, slot.Inventory);
                Assert.Equal(orders.Where(o => o.FeeAsset == "SIM").Sum(o => o.Fee), slot.BaseFees);
                decimal bnb = orders.Where(o => o.FeeAsset == "BNB").Sum(o => o.Fee);
                Assert.Equal(bnb == 0 ? [] : [new AssetAmount("BNB", bnb)], slot.OtherFees.ToArray());
                _slotsWithBaseFees += slot.BaseFees != 0 ? 1 : 0;
                _slotsWithOtherFees += slot.OtherFees.Count;
                if (slot.Inventory == 0)
                {
                    decimal entry = orders.Where(o => o.Action.Side == _manager.OpeningSide).Sum(o => o.Quote);
                    decimal exit = orders.Where(o => o.Action.Side == _manager.ClosingSide).Sum(o => o.Quote);
                    decimal quoteFees = orders.Where(o => o.FeeAsset is null or "USD").Sum(o => o.Fee); // the seeds' rule, with fees per asset
                    Assert.Equal((_model.Sign * (exit - entry)) - quoteFees, slot.RealizedPnl);
                }
            }
        }
    }

    /// <summary>The exchange's truth about one order.</summary>
    private sealed class ExchangeOrder(string orderId, OrderAction action)
    {
        /// <summary>
        /// What this order's fees are paid in, as a spot venue charges them: a buy often in what it received (the base
        /// asset), otherwise the quote asset (named or not), or BNB.
        /// </summary>
        public string? FeeAsset { get; } = (int.Parse(orderId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 4) switch
        {
            0 or 3 when action.Side == OrderSide.Buy => "SIM",
            1 => "BNB",
            2 => "USD",
            _ => null,
        };

        public string OrderId { get; } = orderId;
        public OrderAction Action { get; } = action;
        public string ClientOrderId => Action.ClientOrderId;
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal Filled { get; private set; }
        public decimal Quote { get; private set; }
        public decimal Fee { get; private set; }
        public int TradeCount { get; private set; }
        public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;

        /// <summary>Some fills were at a better price than the order's, so updates must carry the notional.</summary>
        public bool Improved { get; private set; }

        /// <summary>Fills <paramref name="quantity"/> at the order's price, better by <paramref name="improvement"/> (buys pay less, sells get more).</summary>
        public TradeFill Fill(decimal quantity, decimal improvement)
        {
            decimal price = Action.Side == OrderSide.Buy ? Action.Price - improvement : Action.Price + improvement;
            Filled += quantity;
            Quote += quantity * price;
            Fee += FeeAsset switch
            {
                "SIM" => quantity * 0.001m, // paid out of the quantity bought
                "BNB" => quantity * price * 0.0000015m,
                _ => quantity * price * 0.00075m,
            };
            Improved |= improvement != 0;
            Status = Filled == Action.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            return new TradeFill($"{OrderId}-t{++TradeCount}", quantity, price); // its fee comes with the cumulative reports
        }

        public OrderUpdate Update(OrderStatus status, bool bothIds, bool stripClient = false, bool withQuote = true) => new()
        {
            OrderId = bothIds || stripClient ? OrderId : null,
            ClientOrderId = stripClient ? null : ClientOrderId,
            Status = status,
            CumulativeFilledQuantity = Filled,
            CumulativeQuoteQuantity = withQuote ? Quote : null,
            CumulativeFee = Fee,
            FeeAsset = FeeAsset,
        };
    }
}
