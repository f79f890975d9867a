using GridPositions;

namespace GridBot.Simulation;

/// <summary>
/// The simulated exchange's side of one grid level: the orders sent for that level's slot, the network between bot and
/// exchange in both directions, and the account those orders moved. Only the thread that owns the level touches its
/// lane while the market runs (the coordinator reads it between steps), so a seed always replays the same way.
/// </summary>
/// <remarks>
/// With <paramref name="baseAsset"/> set (a long grid), about one buy in three pays its fee in the base asset, out of
/// the quantity bought, as a spot venue does when the account holds no fee token: the bot then holds less than it bought.
/// With <paramref name="tradeReports"/>, every fill's report carries its trade and fee (the totals carry no fee), and an
/// order's reports arrive in the order they were sent, as on one Binance user data stream.
/// </remarks>
internal sealed class ExchangeLane(int index, decimal slotPrice, int seed, string? baseAsset = null, bool tradeReports = false)
{
    private const decimal FeeRate = 0.001m;

    private SimRandom _random = new((seed * 7919) + index); // not HashCode.Combine: that is randomised per process
    private readonly PriorityQueue<Message, (long DueMs, long Sequence)> _network = new();
    private readonly List<(Message Message, (long DueMs, long Sequence) Due)> _held = []; // due, but not saved yet: back on the wire at the next save
    private readonly Dictionary<string, ExchangeOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _orderIdByClientId = new(StringComparer.Ordinal);
    private readonly List<string> _open = [];
    private readonly Dictionary<string, long> _closedAtMs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastDueByOrder = new(StringComparer.Ordinal); // trade reports: in order per order
    private long _sequence;
    private int _nextOrder;
    private long _releasedAtMs = long.MaxValue; // a --store run sends the bot only what was created before the last save
    private long _stepMs; // the step the lane is in: what it creates now is saved at the next save, not the last

    public decimal SlotPrice { get; } = slotPrice;

    // The account, as the exchange keeps it for this level's orders.
    public decimal Bought { get; private set; }
    public decimal Sold { get; private set; }
    public decimal BuyQuote { get; private set; }
    public decimal SellQuote { get; private set; }
    public decimal Fees { get; private set; }

    /// <summary>Fees paid in the base asset, in quantity: the account's base balance is bought - sold - these.</summary>
    public decimal BaseFees { get; private set; }

    /// <summary>Fees paid in the fee token (<see cref="FeeToken"/>), by orders the account chose to pay that way; not in the cash flow.</summary>
    public decimal TokenFees { get; private set; }

    /// <summary>The exchange's fee token: about one order in five pays its fee in it, at <see cref="FeeTokenPrice"/>.</summary>
    public const string FeeToken = "BNB";

    public const decimal FeeTokenPrice = 500m; // a price that divides exactly, so token fees stay short decimals

    public int OrdersOpened { get; private set; }
    public int Fills { get; private set; }
    public int Rejects { get; private set; }
    public int Timeouts { get; private set; }
    public int DuplicatesSent { get; private set; }

    /// <summary>True while a request or a message is on the wire.</summary>
    public bool Busy => _network.Count > 0 || _held.Count > 0;

    /// <summary>The bot sends an order action over REST; it reaches the exchange 10-150 ms later.</summary>
    public void Send(in OrderAction action, long nowMs) => Enqueue(new Message.Request(action) { CreatedMs = nowMs }, nowMs + _random.Next(10, 151));

    /// <summary>Fills resting orders the price has crossed: a random part of what is left, or all of it.</summary>
    public void Match(decimal price, decimal quantityStep, long nowMs)
    {
        _stepMs = nowMs;
        for (int i = _open.Count - 1; i >= 0; i--)
        {
            ExchangeOrder order = _orders[_open[i]];
            bool crossed = order.Side == OrderSide.Buy ? price <= order.Price : price >= order.Price;
            if (!crossed || _random.Next(4) != 0)
            {
                continue; // queue position: a crossed order fills on about one step in four
            }

            decimal left = order.Quantity - order.CumulativeFilledQuantity;
            // A close for a balance a base fee left off the step ends with the part below the step.
            decimal fill = _random.Next(3) == 0 || left < quantityStep ? left : quantityStep * (1 + _random.Next((int)(left / quantityStep)));
            decimal quote = fill * order.Price;
            if (order.Side == OrderSide.Buy)
            {
                Bought += fill;
                BuyQuote += quote;
            }
            else
            {
                Sold += fill;
                SellQuote += quote;
            }

            // A base fee is a share of the quantity; a token fee is the quote fee in the token, at its price.
            decimal fee = order.FeeAsset is null ? quote * FeeRate : order.FeeAsset == FeeToken ? quote * FeeRate / FeeTokenPrice : fill * FeeRate;
            if (order.FeeAsset is null)
            {
                Fees += fee;
            }
            else if (order.FeeAsset == FeeToken)
            {
                TokenFees += fee;
            }
            else
            {
                BaseFees += fee;
            }

            Fills++;
            decimal filled = order.CumulativeFilledQuantity + fill;
            Publish(
                order with
                {
                    Status = fill == left ? OrderStatus.Filled : OrderStatus.PartiallyFilled,
                    CumulativeFilledQuantity = filled,
                    CumulativeQuoteQuantity = order.CumulativeQuoteQuantity + quote,
                    CumulativeFee = order.CumulativeFee + fee,
                },
                nowMs,
                tradeReports ? new TradeFill($"{order.OrderId}@{filled}", fill, order.Price, fee) : null); // an id per trade: the fill it brought the order to
        }
    }

    /// <summary>Takes the next message due by <paramref name="nowMs"/>: requests reach the exchange, replies and updates reach the bot.</summary>
    public object? NextForBot(long nowMs)
    {
        _stepMs = nowMs;
        while (_network.TryPeek(out Message? message, out (long DueMs, long Sequence) due) && due.DueMs <= nowMs)
        {
            _network.Dequeue();
            if (message is Message.ToBot && message.CreatedMs >= _releasedAtMs)
            {
                _held.Add((message, due)); // not saved yet: the bot may hear of it only once a killed exchange would remember it
                continue;                  // and the requests due behind it still reach the exchange
            }

            if (message is Message.Request request)
            {
                Handle(request.Action, due.DueMs);
                continue;
            }

            return ((Message.ToBot)message).Payload;
        }

        return null;
    }

    /// <summary>The exchange's view for reconciliation: open orders, and those closed in the last two minutes.</summary>
    public void Snapshot(List<ExchangeOrder> open, List<ExchangeOrder> recentlyClosed, long nowMs)
    {
        foreach (ExchangeOrder order in _orders.Values)
        {
            if (_open.Contains(order.OrderId))
            {
                open.Add(order);
            }
            else if (nowMs - _closedAtMs.GetValueOrDefault(order.OrderId) < 120_000)
            {
                recentlyClosed.Add(order);
            }
        }
    }

    /// <summary>An order's current state, as a query by exchange or client id returns it.</summary>
    public ExchangeOrder? Query(string id) =>
        _orders.TryGetValue(id, out ExchangeOrder? order) ? order
        : _orderIdByClientId.TryGetValue(id, out string? orderId) ? _orders[orderId]
        : null;

    /// <summary>The orders still open.</summary>
    public IEnumerable<ExchangeOrder> OpenOrders => _open.Select(id => _orders[id]);

    private void Handle(in OrderAction action, long nowMs)
    {
        long replyAt = nowMs + _random.Next(10, 151);
        if (action.Type == OrderActionType.Cancel)
        {
            string? target = action.OrderId ?? _orderIdByClientId.GetValueOrDefault(action.ClientOrderId);
            if (target is null || !_open.Contains(target))
            {
                Reply(OrderActionResult.Failed(action, "unknown order or already closed"), replyAt);
                return;
            }

            ExchangeOrder order = _orders[target];
            Publish(order with { Status = OrderStatus.Canceled }, nowMs);
            Reply(OrderActionResult.Canceled(action with { OrderId = target }), replyAt);
            return;
        }

        int roll = _random.Next(100);
        if (roll < 3)
        {
            Rejects++;
            Reply(OrderActionResult.Failed(action, "post-only order would have crossed"), replyAt);
            return;
        }

        bool timedOut = roll < 5;
        if (timedOut)
        {
            Timeouts++;
            Reply(OrderActionResult.Ambiguous(action, "request timed out"), nowMs + 1_000);
            if (_random.Next(2) == 0)
            {
                return; // lost on the way in: the order never existed
            }
        }

        var opened = new ExchangeOrder($"L{index}-{++_nextOrder}", action.ClientOrderId, action.Side, action.Price, action.Quantity, OrderStatus.New, 0m, 0m)
        {
            FeeAsset = _random.Next(15) switch
            {
                < 5 when baseAsset is not null && action.Side == OrderSide.Buy => baseAsset, // about one buy in three
                < 3 => FeeToken, // about one order in five
                _ => null,
            },
        };
        OrdersOpened++;
        _orderIdByClientId[action.ClientOrderId] = opened.OrderId;
        _open.Add(opened.OrderId);
        Publish(opened, nowMs);
        if (!timedOut)
        {
            Reply(OrderActionResult.Placed(action, opened.OrderId), replyAt);
        }
    }

    /// <summary>Records the order's new state and streams it: 5-250 ms late, now and then twice, sometimes without the client id.</summary>
    private void Publish(ExchangeOrder order, long nowMs, TradeFill? trade = null)
    {
        _orders[order.OrderId] = order;
        if (order.Status is not (OrderStatus.New or OrderStatus.PartiallyFilled) && _open.Remove(order.OrderId))
        {
            _closedAtMs[order.OrderId] = nowMs;
        }

        var update = new OrderUpdate
        {
            OrderId = order.OrderId,
            ClientOrderId = _random.Next(100) < 15 ? null : order.ClientOrderId,
            Status = order.Status,
            CumulativeFilledQuantity = order.CumulativeFilledQuantity,
            CumulativeQuoteQuantity = order.CumulativeQuoteQuantity,
            CumulativeFee = tradeReports ? 0m : order.CumulativeFee, // with trade reports the fees come per trade
            FeeAsset = order.FeeAsset,
            Trade = trade,
        };
        long due = nowMs + _random.Next(5, 251);
        if (tradeReports)
        {
            due = Math.Max(due, _lastDueByOrder.GetValueOrDefault(order.OrderId) + 1);
            _lastDueByOrder[order.OrderId] = due;
        }

        Enqueue(new Message.ToBot(update) { CreatedMs = _stepMs }, due);
        if (_random.Next(100) < 5)
        {
            DuplicatesSent++;
            Enqueue(new Message.ToBot(update) { CreatedMs = _stepMs }, nowMs + _random.Next(5, 1001));
        }
    }

    private void Reply(OrderActionResult result, long atMs) => Enqueue(new Message.ToBot(result) { CreatedMs = _stepMs }, atMs);

    private void Enqueue(Message message, long dueMs) => _network.Enqueue(message, (dueMs, ++_sequence));

    /// <summary>
    /// The lane's whole state, to save (a --store run, between steps); orders closed more than ten minutes ago are
    /// dropped first, so the state stays small. Everything created before <paramref name="nowMs"/> may be sent to the bot from now on.
    /// </summary>
    public LaneState Save(long nowMs)
    {
        foreach ((string id, long closedAt) in _closedAtMs.Where(c => nowMs - c.Value > 600_000).ToList())
        {
            _orderIdByClientId.Remove(_orders[id].ClientOrderId ?? string.Empty);
            _orders.Remove(id);
            _closedAtMs.Remove(id);
            _lastDueByOrder.Remove(id);
        }

        _releasedAtMs = nowMs;
        foreach ((Message message, (long DueMs, long Sequence) due) in _held)
        {
            _network.Enqueue(message, due); // saved now, so they may go; their sequence keeps them in order
        }

        _held.Clear();
        List<NetworkEntry> network = [.. _network.UnorderedItems.Select(item => item.Element switch
        {
            Message.Request r => new NetworkEntry(item.Priority.DueMs, item.Priority.Sequence, r.CreatedMs, r.Action, null, null),
            Message.ToBot { Payload: OrderActionResult result } m => new NetworkEntry(item.Priority.DueMs, item.Priority.Sequence, m.CreatedMs, null, result, null),
            Message.ToBot m => new NetworkEntry(item.Priority.DueMs, item.Priority.Sequence, m.CreatedMs, null, null, (OrderUpdate)m.Payload),
            _ => throw new InvalidOperationException("unknown message"),
        })];
        return new LaneState(_random.State, network, [.. _orders.Values], new(_orderIdByClientId), [.. _open], new(_closedAtMs), _sequence, _nextOrder,
            Bought, Sold, BuyQuote, SellQuote, Fees, OrdersOpened, Fills, Rejects, Timeouts, DuplicatesSent, BaseFees, TokenFees, new(_lastDueByOrder));
    }

    /// <summary>Takes up a saved state (a resumed --store run): the wire, the orders, the account, and the generator where it was.</summary>
    public void Load(LaneState state, long nowMs)
    {
        _random = SimRandom.FromState(state.Random);
        foreach (NetworkEntry entry in state.Network)
        {
            Message message = entry.Request is { } request ? new Message.Request(request) { CreatedMs = entry.CreatedMs }
                : new Message.ToBot(entry.Result is { } result ? result : entry.Update!.Value) { CreatedMs = entry.CreatedMs };
            _network.Enqueue(message, (entry.DueMs, entry.Sequence));
        }

        foreach (ExchangeOrder order in state.Orders)
        {
            _orders[order.OrderId] = order;
        }

        foreach ((string clientId, string orderId) in state.OrderIdByClientId)
        {
            _orderIdByClientId[clientId] = orderId;
        }

        _open.AddRange(state.Open);
        foreach ((string id, long due) in state.LastDueByOrder ?? [])
        {
            _lastDueByOrder[id] = due;
        }

        foreach ((string id, long at) in state.ClosedAtMs)
        {
            _closedAtMs[id] = at;
        }

        (_sequence, _nextOrder, _releasedAtMs) = (state.Sequence, state.NextOrder, nowMs);
        (Bought, Sold, BuyQuote, SellQuote, Fees, BaseFees, TokenFees) = (state.Bought, state.Sold, state.BuyQuote, state.SellQuote, state.Fees, state.BaseFees, state.TokenFees);
        (OrdersOpened, Fills, Rejects, Timeouts, DuplicatesSent) = (state.OrdersOpened, state.Fills, state.Rejects, state.Timeouts, state.DuplicatesSent);
    }

    private abstract record Message
    {
        /// <summary>When the message was made: a --store run sends the bot only what was made by the last save.</summary>
        public long CreatedMs { get; init; }

        public sealed record Request(OrderAction Action) : Message;

        public sealed record ToBot(object Payload) : Message;
    }
}
