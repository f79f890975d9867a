namespace GridPositions.CrashTests;

/// <summary>
/// A deterministic single-threaded workload: a small simulated exchange and a grid strategy, one manager call per
/// step. The crash worker runs it on a store; the crash test runs it again in memory up to the last acknowledged
/// step and compares. Shared by source between the worker and the tests.
/// </summary>
internal sealed class CrashWorkload
{
    private static readonly decimal[] s_levels = [100m, 101m, 102m, 103m, 104m];
    private readonly SuperPositionManager _manager;
    private readonly Random _random;
    private readonly List<OrderAction> _inflight = [];
    private readonly List<object> _outbox = [];
    private readonly List<Order> _orders = [];
    private int _nextOrderId;

    public CrashWorkload(SuperPositionManager manager, int seed)
    {
        _manager = manager;
        _random = new Random(seed);
    }

    public static PositionManagerOptions Options => new()
    {
        Symbol = "CRASH",
        TickSize = 1m,
        QuantityStep = 1m,
        CheckpointEveryRecords = 0,
        ParkedUpdateCapacity = 100_000,
    };

    /// <summary>A clock that never moves: the worker and the replay generate the same client order ids.</summary>
    public static TimeProvider Clock { get; } = new FixedClock();

    /// <summary>The simulated exchange's own view of every order it has: what reconciliation after a crash is given.</summary>
    public ExchangeSnapshot Exchange(DateTimeOffset takenAt) => new(
        takenAt,
        [.. _orders.Where(o => o.IsOpen).Select(o => o.ToExchange())],
        [.. _orders.Where(o => !o.IsOpen).Select(o => o.ToExchange())]);

    /// <summary>Per slot, what the exchange filled for it: bought minus sold.</summary>
    public IReadOnlyDictionary<decimal, decimal> ExchangeInventory() => _orders
        .GroupBy(o => o.Action.SlotPrice)
        .ToDictionary(g => g.Key, g => g.Sum(o => o.Action.Side == OrderSide.Buy ? o.Filled : -o.Filled));

    /// <summary>The batch of updates the last step delivered in one call, or null if it made no batch call.</summary>
    public IReadOnlyList<OrderUpdate>? LastBatch { get; private set; }

    /// <summary>Runs one step: at most one call that changes the manager (or a checkpoint, when <paramref name="canCheckpoint"/>).</summary>
    public void Step(bool canCheckpoint)
    {
        LastBatch = null;
        int roll = _random.Next(1000);
        if (roll < 300)
        {
            Claim();
        }
        else if (roll < 500)
        {
            Execute();
        }
        else if (roll < 650)
        {
            Fill();
        }
        else if (roll < 996)
        {
            Deliver();
        }
        else if (canCheckpoint)
        {
            _manager.Checkpoint();
        }
    }

    private void Claim()
    {
        decimal level = s_levels[_random.Next(s_levels.Length)];
        SlotView? slot = _manager.GetSlot(level);
        int quantity = 1 + _random.Next(3);
        ClaimRequest request = slot switch
        {
            { Status: SlotStatus.Live } when _random.Next(4) == 0 => ClaimRequest.Cancel(level),
            { Inventory: > 0 } held => ClaimRequest.Place(level, OrderSide.Sell, level + 2, held.Inventory),
            _ => ClaimRequest.Place(level, OrderSide.Buy, level, quantity),
        };
        ClaimResult result = _manager.ClaimSlot(request);
        if (result.IsAccepted)
        {
            _inflight.Add(result.Action);
        }
    }

    /// <summary>The executor sends the oldest in-flight action; the exchange's answers join the outbox (no manager call).</summary>
    private void Execute()
    {
        if (_inflight.Count == 0)
        {
            return;
        }

        OrderAction action = _inflight[0];
        _inflight.RemoveAt(0);
        if (action.Type == OrderActionType.Cancel)
        {
            Order? target = _orders.Find(o => o.Action.ClientOrderId == action.ClientOrderId);
            if (target is { IsOpen: true })
            {
                target.Status = OrderStatus.Canceled;
                _outbox.Add(OrderActionResult.Canceled(action));
                _outbox.Add(target.Update());
            }
            else
            {
                _outbox.Add(OrderActionResult.Failed(action, "unknown order"));
            }

            return;
        }

        if (_random.Next(5) == 0)
        {
            _outbox.Add(OrderActionResult.Failed(action, "rejected"));
            return;
        }

        var order = new Order("E" + ++_nextOrderId, action);
        _orders.Add(order);
        _outbox.Add(OrderActionResult.Placed(action, order.OrderId));
        _outbox.Add(order.Update());
    }

    private void Fill()
    {
        var open = _orders.FindAll(o => o.IsOpen);
        if (open.Count == 0)
        {
            return;
        }

        Order order = open[_random.Next(open.Count)];
        order.Filled += 1 + _random.Next((int)(order.Action.Quantity - order.Filled));
        order.Status = order.Filled == order.Action.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        _outbox.Add(order.Update());
    }

    /// <summary>Delivers one outbox message, in any order, sometimes leaving a copy for a later duplicate; or a batch of updates.</summary>
    private void Deliver()
    {
        if (_outbox.Count == 0)
        {
            return;
        }

        if (_random.Next(4) == 0)
        {
            DeliverBatch();
            return;
        }

        int index = _random.Next(_outbox.Count);
        object message = _outbox[index];
        if (_random.Next(6) != 0)
        {
            _outbox.RemoveAt(index);
        }

        if (message is OrderUpdate update)
        {
            _manager.OnOrderUpdate(update);
        }
        else
        {
            _manager.ApplyActionResults([(OrderActionResult)message]);
        }
    }

    /// <summary>
    /// Up to five updates from the outbox (copies of some left for later duplicates) in one call: the batch form, or
    /// its awaited form waited on here, so the crash test also covers a batch acknowledged as one.
    /// </summary>
    private void DeliverBatch()
    {
        var batch = new List<OrderUpdate>();
        for (int tries = 0; tries < 5 && _outbox.Count > 0; tries++)
        {
            int index = _random.Next(_outbox.Count);
            if (_outbox[index] is OrderUpdate update)
            {
                batch.Add(update);
                if (_random.Next(6) != 0)
                {
                    _outbox.RemoveAt(index);
                }
            }
        }

        LastBatch = batch;
        if (_random.Next(2) == 0)
        {
            _manager.OnOrderUpdates(batch);
        }
        else
        {
            _manager.OnOrderUpdatesAsync(batch).AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class Order(string orderId, OrderAction action)
    {
        public string OrderId { get; } = orderId;
        public OrderAction Action { get; } = action;
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal Filled { get; set; }
        public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;

        public ExchangeOrder ToExchange() => new(OrderId, Action.ClientOrderId, Action.Side, Action.Price, Action.Quantity, Status, Filled, CumulativeFee: Filled * 0.01m);

        public OrderUpdate Update() => new()
        {
            OrderId = OrderId,
            ClientOrderId = Action.ClientOrderId,
            Status = Status,
            CumulativeFilledQuantity = Filled,
            CumulativeFee = Filled * 0.01m,
        };
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
