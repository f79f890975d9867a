namespace GridPositions.Stress;

/// <summary>
/// A thread-safe exchange and executor for the stress run. It holds the truth: every open order, and per slot the
/// quantity and notional it bought and sold and the fees it paid. Results and updates go to an outbox that workers
/// deliver in random order, sometimes twice, sometimes with one of the two ids stripped, so updates arrive early,
/// duplicated and reordered. Terminal orders are folded into the per-slot books and forgotten, so a long soak runs in
/// bounded memory.
/// </summary>
internal sealed class StressExchange(OrderSide openingSide, decimal quantityStep, StressSabotage sabotage)
{
    /// <summary>The fee rate charged on every fill's quote quantity.</summary>
    public const decimal FeeRate = 0.001m;

    private readonly object _sync = new();
    private readonly List<OrderAction> _inflight = [];
    private readonly List<object> _outbox = [];
    private readonly List<Order> _open = [];
    private readonly Dictionary<string, Order> _openByClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Order> _openByOrderId = new(StringComparer.Ordinal);
    private readonly Dictionary<decimal, SlotBooks> _books = [];
    private long _nextOrderId;
    private long _ordersOpened;
    private long _fills;
    private long _sabotaged;

    /// <summary>Orders the exchange has opened.</summary>
    public long OrdersOpened => Volatile.Read(ref _ordersOpened);

    /// <summary>Fills the exchange has made (a fill may reach the manager merged with a later one: updates are cumulative).</summary>
    public long Fills => Volatile.Read(ref _fills);

    /// <summary>Messages a sabotage changed or withheld.</summary>
    public long Sabotaged => Volatile.Read(ref _sabotaged);

    /// <summary>The executor received an accepted action; it is in flight until <see cref="ExecuteOne"/> picks it.</summary>
    public void Submit(in OrderAction action)
    {
        lock (_sync)
        {
            _inflight.Add(action);
        }
    }

    /// <summary>Sends one random in-flight action to the exchange; its result (and any update) joins the outbox.</summary>
    public void ExecuteOne(Random random)
    {
        lock (_sync)
        {
            if (_inflight.Count > 0)
            {
                Execute_NeedsLock(TakeAt(_inflight, random.Next(_inflight.Count)), random);
            }
        }
    }

    /// <summary>Fills part or all of a random open order.</summary>
    public void FillOne(Random random)
    {
        lock (_sync)
        {
            if (_open.Count == 0)
            {
                return;
            }

            Order order = _open[random.Next(_open.Count)];
            int stepsLeft = (int)((order.Action.Quantity - order.Filled) / quantityStep);
            decimal fill = quantityStep * (1 + random.Next(stepsLeft));
            decimal feeBefore = order.Fee;
            order.Filled += fill;
            SlotBooks books = Books_NeedsLock(order.Action.SlotPrice);
            if (order.Action.Side == openingSide)
            {
                books.Opened += fill;
                books.EntryQuote += fill * order.Action.Price;
            }
            else
            {
                books.Closed += fill;
                books.ExitQuote += fill * order.Action.Price;
            }

            books.Fees += order.Fee - feeBefore;
            _fills++;
            Transition_NeedsLock(order, order.Filled == order.Action.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, random);
        }
    }

    /// <summary>Takes up to <paramref name="max"/> random messages from the outbox, leaving a copy of one now and then.</summary>
    public int TakeMessages(Random random, int max, List<object> into)
    {
        lock (_sync)
        {
            int taken = 0;
            for (; taken < max && _outbox.Count > 0; taken++)
            {
                int index = random.Next(_outbox.Count);
                into.Add(random.Next(5) == 0 ? _outbox[index] : TakeAt(_outbox, index));
            }

            return taken;
        }
    }

    /// <summary>The executor cancels an order the manager reported as orphaned.</summary>
    public void CancelOrphan(in OrderAction cancel, Random random)
    {
        lock (_sync)
        {
            if (cancel.OrderId is { } orderId && _openByOrderId.TryGetValue(orderId, out Order? target))
            {
                Transition_NeedsLock(target, OrderStatus.Canceled, random);
            }
        }
    }

    /// <summary>True when nothing is in flight and the outbox is empty.</summary>
    public bool IsQuiet
    {
        get
        {
            lock (_sync)
            {
                return _inflight.Count == 0 && _outbox.Count == 0;
            }
        }
    }

    /// <summary>Executes everything still in flight (its results and updates join the outbox).</summary>
    public void ExecuteAll(Random random)
    {
        lock (_sync)
        {
            while (_inflight.Count > 0)
            {
                Execute_NeedsLock(TakeAt(_inflight, random.Next(_inflight.Count)), random);
            }
        }
    }

    /// <summary>The exchange's final word on every open order, with both ids.</summary>
    public List<OrderUpdate> FinalWord()
    {
        lock (_sync)
        {
            return _open.ConvertAll(o => o.Update(includeBothIds: true));
        }
    }

    /// <summary>The exchange's record of the orders still open, by client order id.</summary>
    public Dictionary<string, (string OrderId, decimal Filled)> OpenOrders()
    {
        lock (_sync)
        {
            return _open.ToDictionary(o => o.Action.ClientOrderId, o => (o.OrderId, o.Filled), StringComparer.Ordinal);
        }
    }

    /// <summary>What the slot at <paramref name="slotPrice"/> bought, sold and paid over the run.</summary>
    public SlotBooks BooksOf(decimal slotPrice)
    {
        lock (_sync)
        {
            return _books.TryGetValue(slotPrice, out SlotBooks? books) ? books with { } : new SlotBooks();
        }
    }

    private void Execute_NeedsLock(in OrderAction action, Random random)
    {
        int roll = random.Next(10);
        if (action.Type == OrderActionType.Cancel)
        {
            bool open = _openByClientId.TryGetValue(action.ClientOrderId, out Order? target);
            if (open)
            {
                Transition_NeedsLock(target!, OrderStatus.Canceled, random);
            }

            _outbox.Add(!open ? OrderActionResult.Failed(action, "unknown order")
                : roll < 8 ? OrderActionResult.Canceled(action)
                : OrderActionResult.Ambiguous(action, "timeout"));
            return;
        }

        if (roll < 7)
        {
            _outbox.Add(OrderActionResult.Placed(action, Open_NeedsLock(action, random).OrderId));
        }
        else if (roll < 9)
        {
            _outbox.Add(OrderActionResult.Failed(action, "rejected"));
        }
        else
        {
            Open_NeedsLock(action, random);
            _outbox.Add(OrderActionResult.Ambiguous(action, "timeout after sending"));
        }
    }

    private Order Open_NeedsLock(in OrderAction action, Random random)
    {
        var order = new Order("X" + ++_nextOrderId, action) { OpenIndex = _open.Count };
        _open.Add(order);
        _openByClientId.Add(action.ClientOrderId, order);
        _openByOrderId.Add(order.OrderId, order);
        _ordersOpened++;
        _outbox.Add(order.Update(includeBothIds: random.Next(6) > 1, stripOrderId: random.Next(2) == 0));
        return order;
    }

    /// <summary>Moves an order to a new status and announces it; a terminal order leaves the open set.</summary>
    private void Transition_NeedsLock(Order order, OrderStatus status, Random random)
    {
        order.Status = status;
        if (status is OrderStatus.New or OrderStatus.PartiallyFilled)
        {
            _outbox.Add(order.Update(includeBothIds: random.Next(6) > 1, stripOrderId: random.Next(2) == 0));
            return;
        }

        Order moved = _open[^1];
        _open[order.OpenIndex] = moved;
        moved.OpenIndex = order.OpenIndex;
        _open.RemoveAt(_open.Count - 1);
        _openByClientId.Remove(order.Action.ClientOrderId);
        _openByOrderId.Remove(order.OrderId);
        OrderUpdate last = order.Update(includeBothIds: true); // it always finds its slot: the exchange forgets the order now
        if (sabotage is StressSabotage.LoseTerminalUpdates or StressSabotage.PhantomFill && random.Next(100) == 0)
        {
            _sabotaged++;
            if (sabotage == StressSabotage.LoseTerminalUpdates)
            {
                return; // a feed that drops an order's last word: its last fill and its end never reach the manager
            }

            if (status == OrderStatus.Canceled && order.Filled < order.Action.Quantity)
            {
                // A fill the exchange never made reaches the manager: what a fill booked twice looks like to the books.
                decimal phantom = order.Filled + quantityStep;
                last = last with { CumulativeFilledQuantity = phantom, CumulativeQuoteQuantity = phantom * order.Action.Price, CumulativeFee = phantom * order.Action.Price * FeeRate };
            }
        }

        _outbox.Add(last);
    }

    private SlotBooks Books_NeedsLock(decimal slotPrice)
    {
        if (!_books.TryGetValue(slotPrice, out SlotBooks? books))
        {
            books = new SlotBooks();
            _books.Add(slotPrice, books);
        }

        return books;
    }

    private static T TakeAt<T>(List<T> list, int index)
    {
        T item = list[index];
        list[index] = list[^1];
        list.RemoveAt(list.Count - 1);
        return item;
    }

    private sealed class Order(string orderId, OrderAction action)
    {
        public string OrderId { get; } = orderId;
        public OrderAction Action { get; } = action;
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal Filled { get; set; }
        public int OpenIndex { get; set; }
        public decimal Quote => Filled * Action.Price;
        public decimal Fee => Quote * FeeRate;

        public OrderUpdate Update(bool includeBothIds, bool stripOrderId = false) => new()
        {
            OrderId = includeBothIds || !stripOrderId ? OrderId : null,
            ClientOrderId = includeBothIds || stripOrderId ? Action.ClientOrderId : null,
            Status = Status,
            CumulativeFilledQuantity = Filled,
            CumulativeQuoteQuantity = Quote,
            CumulativeFee = Fee,
        };
    }
}

/// <summary>What one slot's orders bought and sold on the exchange, and the fees they paid.</summary>
internal sealed record SlotBooks
{
    public decimal Opened { get; set; }
    public decimal Closed { get; set; }
    public decimal EntryQuote { get; set; }
    public decimal ExitQuote { get; set; }
    public decimal Fees { get; set; }
}
