using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Model;

/// <summary>
/// Random grids whose exchange reports every fill twice: as the order's cumulative totals and as the trade, on separate
/// streams, in one combined report (Binance's <c>executionReport</c>), or both, each message delivered in any order,
/// duplicated, and across restarts. Fees come per trade (in the base asset, the quote asset or BNB, one trade to the
/// next) or cumulatively. After every step the invariants hold; at the end every slot equals the exchange's books.
/// </summary>
/// <remarks>
/// The strategy claims a slot only once every message about it was delivered: a base-asset fee that arrives after
/// the whole position was claimed for a close is rejected by design (reconciliation settles it; see
/// docs/per-trade-fills.md), so claiming earlier would test that limit rather than the streams.
/// </remarks>
public class TradeStreamPropertyTests
{
    private static readonly decimal[] s_levels = [100m, 101m, 102m, 103m];

    [Fact]
    public void BothStreams_AnyOrderOfArrival_AnyFeeSource_BooksEqualTheExchanges()
    {
        int combined = 0, separate = 0, lateFees = 0, perTrade = 0, shortGrids = 0, trades = 0;
        Gen.Int[0, int.MaxValue].Array[1, 120].Sample(ops =>
        {
            var scenario = new Scenario(ops);
            scenario.Run();
            Interlocked.Add(ref combined, scenario.Mode == StreamMode.Combined ? 1 : 0);
            Interlocked.Add(ref separate, scenario.Mode == StreamMode.Separate ? 1 : 0);
            Interlocked.Add(ref perTrade, scenario.FeesPerTrade ? 1 : 0);
            Interlocked.Add(ref shortGrids, scenario.Direction == GridDirection.Short ? 1 : 0);
            Interlocked.Add(ref lateFees, scenario.FeesBookedAlone);
            Interlocked.Add(ref trades, scenario.Trades);
        }, iter: 400);

        // The samples must cover each stream shape, both fee sources and fees that arrive after their fill.
        Assert.True(combined > 60 && separate > 60 && perTrade > 120 && shortGrids > 120 && lateFees > 100 && trades > 800, $"{combined} combined, {separate} separate, {perTrade} per-trade-fee, {shortGrids} short runs; {lateFees} fees booked alone; {trades} trades in 400 runs");
    }

    public enum StreamMode
    {
        /// <summary>Cumulative reports and trades on two streams.</summary>
        Separate,

        /// <summary>One report per fill carrying both (Binance spot and USDⓈ-M).</summary>
        Combined,

        /// <summary>Combined reports, and the trades again on a second stream.</summary>
        Both,

        /// <summary>Cumulative reports only (fees cumulative).</summary>
        ReportsOnly,
    }

    private sealed record Message(decimal Slot, OrderUpdate? Update, OrderActionResult? Result);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A restart abandons the old manager as a crash would; these managers have no store to give back.")]
    private sealed class Scenario
    {
        private readonly int[] _ops;
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        private readonly List<OrderAction> _inflight = [];
        private readonly List<Message> _outbox = [];
        private readonly List<ExchangeOrder> _exchange = [];
        private SuperPositionManager _manager = null!;
        private int _step;
        private int _nextOrderId = 1;
        private int _feesBookedAlone;
        private string? _lastRejection;

        public Scenario(int[] ops)
        {
            _ops = ops;
            Direction = ops[0] % 2 == 0 ? GridDirection.Long : GridDirection.Short;
            FeesPerTrade = (ops[0] / 2) % 2 == 0;
            Mode = (StreamMode)((ops[0] / 4) % (FeesPerTrade ? 3 : 4)); // fees per trade need the trades delivered
        }

        public GridDirection Direction { get; }

        public bool FeesPerTrade { get; }

        public StreamMode Mode { get; }

        public int FeesBookedAlone => Volatile.Read(ref _feesBookedAlone);

        public int Trades { get; private set; }

        private int Sign => Direction == GridDirection.Long ? 1 : -1;

        public void Run()
        {
            _manager = new SuperPositionManager(
                new PositionManagerOptions
                {
                    Symbol = "SIM",
                    TickSize = 1m,
                    QuantityStep = 1m,
                    Direction = Direction,
                    BaseAsset = "SIM",
                    QuoteAsset = "USD",
                    FeesPerTrade = FeesPerTrade,
                    ParkedUpdateCapacity = 64,
                    ParkedUpdateTimeToLive = TimeSpan.FromDays(1),
                    PendingClaimTimeout = TimeSpan.FromDays(365),
                },
                _time);
            _manager.FillApplied += CountFeeAlone;
            _manager.InputRejected += (_, e) => _lastRejection = e.Reason;

            foreach (int op in _ops)
            {
                _step++;
                Step(op);
                AssertInvariants($"after op {op}");
            }

            while (_inflight.Count > 0)
            {
                Execute(0);
            }

            for (int i = 0; _outbox.Count > 0; i++)
            {
                Deliver(_ops[i % _ops.Length] % _outbox.Count, duplicate: false);
                AssertInvariants("while draining");
            }

            // The exchange's last word on every order: its status with its totals (as reconciliation would ask for).
            foreach (ExchangeOrder order in _exchange)
            {
                Apply(order.Report(), lastWord: true); // a slot's earlier orders are stale by now
                AssertInvariants("after the last word");
            }

            _manager.FlushEventsAsync().GetAwaiter().GetResult();
            AssertBooksMatchTheExchange();
        }

        private void Step(int op)
        {
            int kind = op % 10, arg = op / 10;
            decimal level = s_levels[arg % s_levels.Length];
            switch (kind)
            {
                case 0 or 1:
                    Claim(level);
                    break;
                case 2:
                    Execute(arg);
                    break;
                case 3 or 4:
                    Fill(arg);
                    break;
                case 5:
                    Cancel(arg);
                    break;
                case 6 or 7:
                    if (_outbox.Count > 0)
                    {
                        Deliver(arg % _outbox.Count, duplicate: (arg / 7) % 3 == 0);
                    }

                    break;
                case 8:
                    _manager.FlushEventsAsync().GetAwaiter().GetResult(); // count what the old manager raised before it goes
                    _manager = SuperPositionManager.Restore(_manager.CreateSnapshot(), _manager.Options, _time);
                    _manager.FillApplied += CountFeeAlone;
                    _manager.InputRejected += (_, e) => _lastRejection = e.Reason;
                    break;
                default:
                    if (_outbox.Count > 0)
                    {
                        Deliver(_outbox.Count - 1, duplicate: arg % 2 == 0); // the newest first
                    }

                    break;
            }
        }

        /// <summary>Opens a flat slot, or closes the whole position of one that holds something, once nothing about it is in flight.</summary>
        private void Claim(decimal level)
        {
            SlotView? slot = _manager.GetSlot(level); // null until first claimed
            if (slot is { Status: not SlotStatus.Free } || _outbox.Any(m => m.Slot == level) || _inflight.Any(a => a.SlotPrice == level))
            {
                return;
            }

            ClaimRequest request = (slot?.Inventory ?? 0) == 0
                ? ClaimRequest.Place(level, _manager.OpeningSide, level, 1 + (_step % 3))
                : ClaimRequest.Close(level, level + (Sign * 2));
            ClaimResult result = _manager.ClaimSlot(request);
            Assert.True(result.IsAccepted, $"step {_step}: {request} refused: {result.Rejection} {result.Detail}");
            _inflight.Add(result.Action);
        }

        private void Execute(int arg)
        {
            if (_inflight.Count == 0)
            {
                return;
            }

            OrderAction action = _inflight[arg % _inflight.Count];
            _inflight.Remove(action);
            var order = new ExchangeOrder("E" + _nextOrderId++, action, FeesPerTrade);
            _exchange.Add(order);
            _outbox.Add(new Message(action.SlotPrice, null, OrderActionResult.Placed(action, order.OrderId)));
            _outbox.Add(new Message(action.SlotPrice, order.Report(), null));
        }

        private void Fill(int arg)
        {
            var open = _exchange.Where(o => o.IsOpen).ToList();
            if (open.Count == 0)
            {
                return;
            }

            ExchangeOrder order = open[arg % open.Count];
            decimal remaining = order.Action.Quantity - order.Filled;
            TradeFill trade = order.Fill(remaining <= 1 ? remaining : 1, improvement: (arg / 11) % 5 * 0.25m, out string? asset);
            Trades++;
            if (!FeesPerTrade)
            {
                trade = trade with { Fee = 0m }; // the cumulative reports carry the fees
            }

            OrderUpdate report = order.Report();
            OrderUpdate alone = new TradeReport
            {
                OrderId = arg % 3 == 0 ? null : order.OrderId,
                ClientOrderId = arg % 3 == 0 ? order.ClientOrderId : null,
                TradeId = trade.TradeId,
                Quantity = trade.Quantity,
                Price = trade.Price,
                Fee = trade.Fee,
                FeeAsset = asset,
            }.ToUpdate();
            OrderUpdate both = report with { Trade = trade, FeeAsset = FeesPerTrade ? asset : report.FeeAsset };
            decimal slot = order.Action.SlotPrice;
            switch (Mode)
            {
                case StreamMode.Separate:
                    _outbox.Add(new Message(slot, report, null));
                    _outbox.Add(new Message(slot, alone, null));
                    break;
                case StreamMode.Combined:
                    _outbox.Add(new Message(slot, both, null));
                    break;
                case StreamMode.Both:
                    _outbox.Add(new Message(slot, both, null));
                    _outbox.Add(new Message(slot, alone, null));
                    break;
                default:
                    _outbox.Add(new Message(slot, report, null));
                    break;
            }
        }

        private void Cancel(int arg)
        {
            var open = _exchange.Where(o => o.IsOpen).ToList();
            if (open.Count > 0)
            {
                ExchangeOrder order = open[arg % open.Count];
                order.Status = OrderStatus.Canceled;
                _outbox.Add(new Message(order.Action.SlotPrice, order.Report(), null));
            }
        }

        private void Deliver(int index, bool duplicate)
        {
            Message message = _outbox[index];
            if (!duplicate)
            {
                _outbox.RemoveAt(index);
            }

            if (message.Update is { } update)
            {
                Apply(update);
                return;
            }

            ResultOutcome outcome = _manager.ApplyActionResults([message.Result!.Value])[0];
            Assert.True(outcome.Disposition is InputDisposition.Applied or InputDisposition.Duplicate, $"step {_step}: place result {outcome.Disposition} {outcome.Detail}");
        }

        private void Apply(OrderUpdate update, bool lastWord = false)
        {
            InputDisposition d = _manager.OnOrderUpdate(update);
            if (d == InputDisposition.Rejected)
            {
                _manager.FlushEventsAsync().GetAwaiter().GetResult(); // for the reason
            }

            Assert.True(d is InputDisposition.Applied or InputDisposition.Duplicate or InputDisposition.Parked || (lastWord && d == InputDisposition.Stale), $"step {_step}: {update} was {d}: {_lastRejection}");
        }

        private void CountFeeAlone(object? sender, FillAppliedEventArgs e)
        {
            if (e.Quantity == 0 && e.Fee != 0)
            {
                Interlocked.Increment(ref _feesBookedAlone);
            }
        }

        private void AssertInvariants(string when)
        {
            InvariantCheckResult check = _manager.CheckInvariants();
            Assert.True(check.Holds, $"step {_step} {when}: {check.Violation}");
        }

        private void AssertBooksMatchTheExchange()
        {
            Assert.Equal(0, _manager.ParkedUpdateCount);
            foreach (SlotView slot in _manager.GetSlots())
            {
                var orders = _exchange.Where(o => o.Action.SlotPrice == slot.Price).ToList();
                var trades = orders.SelectMany(o => o.Trades.Select(t => (Order: o, t.Trade, t.Asset))).ToList();
                string at = $"slot {slot.Price} ({Direction}, {Mode}, fees per trade {FeesPerTrade})";
                decimal baseFees = trades.Where(t => t.Asset == "SIM").Sum(t => t.Trade.Fee);
                decimal balance = orders.Sum(o => o.Action.Side == OrderSide.Buy ? o.Filled : -o.Filled) - baseFees;
                Assert.Equal((at, Sign * balance, baseFees), (at, slot.Inventory, slot.BaseFees));
                decimal bnb = trades.Where(t => t.Asset == "BNB").Sum(t => t.Trade.Fee);
                Assert.Equal(bnb == 0 ? [] : [new AssetAmount("BNB", bnb)], slot.OtherFees.ToArray());
                Assert.Equal((at, orders.Any(o => o.IsOpen)), (at, slot.Status != SlotStatus.Free));
                if (slot.Inventory == 0)
                {
                    decimal entry = orders.Where(o => o.Action.Side == _manager.OpeningSide).Sum(o => o.Quote);
                    decimal exit = orders.Where(o => o.Action.Side == _manager.ClosingSide).Sum(o => o.Quote);
                    decimal quoteFees = trades.Where(t => t.Asset is null or "USD").Sum(t => t.Trade.Fee);
                    Assert.Equal((at, (Sign * (exit - entry)) - quoteFees), (at, slot.RealizedPnl));
                }
            }
        }
    }

    /// <summary>The exchange's truth about one order, trade by trade.</summary>
    private sealed class ExchangeOrder(string orderId, OrderAction action, bool feesPerTrade)
    {
        private readonly int _number = int.Parse(orderId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);

        public string OrderId { get; } = orderId;

        public OrderAction Action { get; } = action;

        public string ClientOrderId => Action.ClientOrderId;

        public OrderStatus Status { get; set; } = OrderStatus.New;

        public decimal Filled { get; private set; }

        public decimal Quote { get; private set; }

        public List<(TradeFill Trade, string? Asset)> Trades { get; } = [];

        public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;

        /// <summary>
        /// The asset a trade's fee is paid in: a buy often in what it received (the base asset), otherwise the quote asset
        /// (named or not) or BNB. Per trade when fees are, otherwise one per order (a cumulative fee has one asset).
        /// </summary>
        private string? AssetOf(int trade) => ((feesPerTrade ? _number + trade : _number) % 4) switch
        {
            0 or 3 when Action.Side == OrderSide.Buy => "SIM",
            1 => "BNB",
            2 => "USD",
            _ => null,
        };

        public TradeFill Fill(decimal quantity, decimal improvement, out string? asset)
        {
            decimal price = Action.Side == OrderSide.Buy ? Action.Price - improvement : Action.Price + improvement;
            asset = AssetOf(Trades.Count);
            decimal fee = asset switch
            {
                "SIM" => quantity * 0.001m, // paid out of the quantity bought
                "BNB" => quantity * price * 0.0000015m,
                _ => quantity * price * 0.00075m,
            };
            var trade = new TradeFill($"{OrderId}-t{Trades.Count + 1}", quantity, price, fee);
            Trades.Add((trade, asset));
            Filled += quantity;
            Quote += quantity * price;
            Status = Filled == Action.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            return trade;
        }

        /// <summary>The order's cumulative report now; its fee only when fees are cumulative (the trades carry them otherwise).</summary>
        public OrderUpdate Report() => new()
        {
            OrderId = OrderId,
            ClientOrderId = ClientOrderId,
            Status = Status,
            CumulativeFilledQuantity = Filled,
            CumulativeQuoteQuantity = Quote,
            CumulativeFee = feesPerTrade ? 0m : Trades.Sum(t => t.Trade.Fee),
            FeeAsset = feesPerTrade ? null : AssetOf(0),
        };
    }
}
