namespace GridPositions.Tests.Concurrency;

/// <summary>
/// A thread-safe exchange and executor for real-thread tests: it holds the truth about every order, and an outbox of
/// results and updates that worker threads deliver to the manager in any order, sometimes twice, sometimes with the
/// client id stripped.
/// </summary>
internal sealed class SimulatedExchange
{
    private readonly object _sync = new();
    private readonly List<Order> _orders = [];
    private readonly List<OrderAction> _inflight = [];
    private readonly List<object> _outbox = [];
    private int _nextOrderId;

    public long UpdatesDelivered;
    public long ResultsDelivered;
    public long ClaimsMade;

    public void Claimed(in OrderAction action)
    {
        lock (_sync)
        {
            _inflight.Add(action);
        }
    }

    /// <summary>Sends one in-flight action to the exchange; its result (and any update) joins the outbox.</summary>
    public void ExecuteOne(Random random)
    {
        lock (_sync)
        {
            if (_inflight.Count == 0)
            {
                return;
            }

            int index = random.Next(_inflight.Count);
            OrderAction action = _inflight[index];
            _inflight.RemoveAt(index);
            int roll = random.Next(10);
            if (action.Type == OrderActionType.Cancel)
            {
                Order? target = _orders.Find(o => o.Action.ClientOrderId == action.ClientOrderId);
                bool open = target is { IsOpen: true };
                if (open)
                {
                    target!.Status = OrderStatus.Canceled;
                    _outbox.Add(target.Update(random));
                }

                _outbox.Add(open ? (roll < 8 ? OrderActionResult.Canceled(action) : OrderActionResult.Ambiguous(action, "timeout")) : OrderActionResult.Failed(action, "unknown order"));
                return;
            }

            if (roll < 7)
            {
                Order order = Open(action, random);
                _outbox.Add(OrderActionResult.Placed(action, order.OrderId));
            }
            else if (roll < 9)
            {
                _outbox.Add(OrderActionResult.Failed(action, "rejected"));
            }
            else
            {
                Open(action, random);
                _outbox.Add(OrderActionResult.Ambiguous(action, "timeout after sending"));
            }
        }
    }

    private Order Open(in OrderAction action, Random random)
    {
        var order = new Order("E" + ++_nextOrderId, action);
        _orders.Add(order);
        _outbox.Add(order.Update(random));
        return order;
    }

    /// <summary>Fills part or all of a random open order.</summary>
    public void FillOne(Random random)
    {
        lock (_sync)
        {
            var open = _orders.FindAll(o => o.IsOpen);
            if (open.Count == 0)
            {
                return;
            }

            Order order = open[random.Next(open.Count)];
            order.Filled += 1 + random.Next((int)(order.Action.Quantity - order.Filled));
            order.Status = order.Filled == order.Action.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            _outbox.Add(order.Update(random));
        }
    }

    /// <summary>Takes a random message from the outbox (leaving a copy behind now and then: a duplicate).</summary>
    public object? TakeMessage(Random random)
    {
        lock (_sync)
        {
            if (_outbox.Count == 0)
            {
                return null;
            }

            int index = random.Next(_outbox.Count);
            object message = _outbox[index];
            if (random.Next(5) != 0)
            {
                _outbox.RemoveAt(index);
            }

            return message;
        }
    }

    /// <summary>The executor cancels an order the manager reported as orphaned.</summary>
    public void CancelOrphan(OrderAction cancel, Random random)
    {
        lock (_sync)
        {
            Order? target = _orders.Find(o => o.OrderId == cancel.OrderId);
            if (target is { IsOpen: true })
            {
                target.Status = OrderStatus.Canceled;
                _outbox.Add(target.Update(random));
            }
        }
    }

    /// <summary>Everything still in the outbox, oldest first, then the exchange's final word on every order (both ids).</summary>
    public List<object> DrainWithFinalWord()
    {
        lock (_sync)
        {
            var all = new List<object>(_outbox);
            _outbox.Clear();
            all.AddRange(_orders.Select(o => (object)o.Update(null)));
            return all;
        }
    }

    /// <summary>Net filled quantity, entry and exit notional and fees of the orders of the slot at <paramref name="slotPrice"/>.</summary>
    public (decimal Net, decimal Entry, decimal Exit, decimal Fees) Books(decimal slotPrice, OrderSide opening)
    {
        lock (_sync)
        {
            var orders = _orders.FindAll(o => o.Action.SlotPrice == slotPrice);
            decimal opened = orders.Where(o => o.Action.Side == opening).Sum(o => o.Filled);
            decimal closed = orders.Where(o => o.Action.Side != opening).Sum(o => o.Filled);
            return (opened - closed,
                orders.Where(o => o.Action.Side == opening).Sum(o => o.Quote),
                orders.Where(o => o.Action.Side != opening).Sum(o => o.Quote),
                orders.Sum(o => o.Fee));
        }
    }

    private sealed class Order(string orderId, OrderAction action)
    {
        public string OrderId { get; } = orderId;
        public OrderAction Action { get; } = action;
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal Filled { get; set; }
        public decimal Quote => Filled * Action.Price;
        public decimal Fee => Filled * Action.Price * 0.001m;
        public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;

        /// <summary>The current state as an update; a random one may lack one of the ids.</summary>
        public OrderUpdate Update(Random? random)
        {
            int ids = random?.Next(6) ?? 0;
            return new OrderUpdate
            {
                OrderId = ids == 1 ? null : OrderId,
                ClientOrderId = ids == 2 ? null : Action.ClientOrderId,
                Status = Status,
                CumulativeFilledQuantity = Filled,
                CumulativeQuoteQuantity = Quote,
                CumulativeFee = Fee,
            };
        }
    }
}
