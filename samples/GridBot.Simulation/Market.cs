using GridPositions;
using GridPositions.Hosting;

namespace GridBot.Simulation;

/// <summary>
/// One symbol of the simulation: its manager (one of the host's), its random-walk price, the exchange's lanes for its
/// levels, and what reconciliation found. Its lanes are driven by the simulation's threads; the rest runs between steps.
/// </summary>
internal sealed class Market
{
    private readonly PositionHost _host;
    private readonly SimulationOptions _options;
    private SimRandom _random;

    public Market(PositionHost host, ManagerKey key, SimulationOptions options, int seed)
    {
        _host = host;
        _options = options;
        Key = key;
        Seed = seed;
        Manager = host[key];
        string? baseAsset = options.Direction == GridDirection.Long ? Manager.Options.BaseAsset : null; // a short grid's buys close: their fees stay in the quote asset
        Lanes = [.. Enumerable.Range(0, options.Levels).Select(i => new ExchangeLane(i, options.StartPrice + ((i - (options.Levels / 2)) * options.Spacing), seed, baseAsset, options.TradeReports))];
        _random = new SimRandom(seed);
        Price = Lowest = Highest = options.StartPrice;
    }

    public ManagerKey Key { get; }

    /// <summary>The seed of this symbol's market and exchange (the run's seed for the first symbol).</summary>
    public int Seed { get; }

    public SuperPositionManager Manager { get; }

    public ExchangeLane[] Lanes { get; }

    public decimal Price { get; private set; }

    public decimal Lowest { get; private set; }

    public decimal Highest { get; private set; }

    public Dictionary<FindingKind, int> Findings { get; } = [];

    public int Reconciliations { get; private set; }

    /// <summary>Updates the host could not route (none expected: every one is this bot's).</summary>
    public int Unroutable;

    /// <summary>A random walk in ticks with a gentle pull back to the start, so the price keeps crossing the grid.</summary>
    public void Move()
    {
        double gaussian = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
        double pull = (double)((_options.StartPrice - Price) / Simulation.TickSize) * 0.0005;
        decimal ticks = (decimal)Math.Round((gaussian * 2.5) + pull);
        Price = Math.Max(Simulation.TickSize, Price + (ticks * Simulation.TickSize));
        Lowest = Math.Min(Lowest, Price);
        Highest = Math.Max(Highest, Price);
    }

    /// <summary>
    /// The executor's and the WebSocket handler's part: a REST reply goes to this symbol's manager; an update goes
    /// through the host, by its client order id's prefix, or, when the exchange left the client id out, by the symbol
    /// the stream names (its key), as a handler for one account's stream would.
    /// </summary>
    public void Deliver(ExchangeLane lane, object message, long now)
    {
        if (message is OrderUpdate update)
        {
            RoutedUpdate routed = update.ClientOrderId is null ? _host.OnOrderUpdate(Key, update) : _host.OnOrderUpdate(update);
            if (!routed.IsRouted || routed.Key != Key)
            {
                Interlocked.Increment(ref Unroutable);
            }

            return;
        }

        ResultOutcome outcome = Manager.ApplyActionResults([(OrderActionResult)message])[0];
        if (outcome.CancelToIssue is { } orphan)
        {
            lane.Send(orphan, now); // the order went live for a slot that no longer wanted it
        }
    }

    /// <summary>Compares the manager with the exchange's open and recent orders and its position, and does what it asks.</summary>
    public void Reconcile(DateTimeOffset now, long nowMs)
    {
        ReconciliationTicket ticket = Manager.BeginReconciliation();
        var open = new List<ExchangeOrder>();
        var closed = new List<ExchangeOrder>();
        foreach (ExchangeLane lane in Lanes)
        {
            lane.Snapshot(open, closed, nowMs);
        }

        ReconciliationReport report = Manager.Reconcile(ticket, new ExchangeSnapshot(now, open, closed, ExchangePosition()));
        Reconciliations++;
        foreach (ReconciliationFinding finding in report.Findings)
        {
            Findings[finding.Kind] = Findings.GetValueOrDefault(finding.Kind) + 1;
        }

        foreach (OrderAction cancel in report.CancelsToIssue)
        {
            LaneOf(cancel.OrderId ?? cancel.ClientOrderId)?.Send(cancel, nowMs);
        }

        foreach (string id in report.OrdersToQuery)
        {
            if (LaneOf(id)?.Query(id) is { } order)
            {
                Manager.OnOrderUpdate(order.ToUpdate());
            }
        }
    }

    /// <summary>The account's base balance from the bot's orders: bought minus sold minus base-asset fees (negative is short).</summary>
    public decimal ExchangePosition() => Lanes.Sum(l => l.Bought - l.Sold - l.BaseFees);

    /// <summary>Checks the books against the exchange's account, slot by slot; returns every mismatch.</summary>
    public List<string> Check()
    {
        int sign = Manager.OpeningSide == OrderSide.Buy ? 1 : -1;
        var failures = new List<string>();
        InvariantCheckResult check = Manager.CheckInvariants();
        if (!check.Holds)
        {
            failures.Add("invariant broken: " + check.Violation);
        }

        if (Unroutable > 0)
        {
            failures.Add($"{Unroutable} updates were not routed to this symbol's manager");
        }

        foreach (ExchangeLane lane in Lanes)
        {
            SlotView? slot = Manager.GetSlot(lane.SlotPrice);
            decimal inventory = slot?.Inventory ?? 0m;
            decimal laneCash = lane.SellQuote - lane.BuyQuote - lane.Fees;
            decimal laneHeldCost = (sign * (slot?.EntryNotional ?? 0m)) + (slot?.EntryFees ?? 0m);
            if (inventory != sign * (lane.Bought - lane.Sold - lane.BaseFees))
            {
                failures.Add($"slot {lane.SlotPrice}: holds {inventory}, the exchange filled {lane.Bought} bought and {lane.Sold} sold and took {lane.BaseFees} in base-asset fees");
            }

            if ((slot?.BaseFees ?? 0m) != lane.BaseFees)
            {
                failures.Add($"slot {lane.SlotPrice}: booked {slot?.BaseFees ?? 0m} in base-asset fees, the exchange took {lane.BaseFees}");
            }

            decimal tokenFees = slot?.OtherFees.Where(f => f.Asset == ExchangeLane.FeeToken).Sum(f => f.Amount) ?? 0m;
            if (tokenFees != lane.TokenFees || slot?.OtherFees.Count > 1)
            {
                failures.Add($"slot {lane.SlotPrice}: booked {string.Join(", ", slot?.OtherFees ?? [])} in other assets, the exchange took {lane.TokenFees} {ExchangeLane.FeeToken}");
            }

            // What the exchange's cash flow says was realised: the cash, plus what the still-held inventory cost.
            decimal tolerance = inventory == 0 ? 0m : 1e-9m; // a partial close rounds the held share to 12 places
            if (Math.Abs((slot?.RealizedPnl ?? 0m) - (laneCash + laneHeldCost)) > tolerance)
            {
                failures.Add($"slot {lane.SlotPrice}: realised {slot?.RealizedPnl ?? 0m}, the exchange's account gives {laneCash + laneHeldCost}");
            }

            if (slot is { Status: not (SlotStatus.Free or SlotStatus.Live) })
            {
                failures.Add($"slot {lane.SlotPrice}: stuck {slot.Status} after everything landed");
            }

            var exchangeOpen = lane.OpenOrders.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
            string? held = slot?.Order?.ClientOrderId;
            if ((held is null ? 0 : 1) != exchangeOpen.Count || (held is not null && !exchangeOpen.Contains(held)))
            {
                failures.Add($"slot {lane.SlotPrice}: holds order {held ?? "none"}, the exchange has open {string.Join(", ", exchangeOpen.DefaultIfEmpty("none"))}");
            }
        }

        return failures;
    }

    /// <summary>The exchange's cash flow for this symbol's orders, and what the inventory still held cost.</summary>
    public (decimal Cash, decimal HeldCost) Account()
    {
        int sign = Manager.OpeningSide == OrderSide.Buy ? 1 : -1;
        decimal cash = 0m, heldCost = 0m;
        foreach (ExchangeLane lane in Lanes)
        {
            SlotView? slot = Manager.GetSlot(lane.SlotPrice);
            cash += lane.SellQuote - lane.BuyQuote - lane.Fees;
            heldCost += (sign * (slot?.EntryNotional ?? 0m)) + (slot?.EntryFees ?? 0m);
        }

        return (cash, heldCost);
    }

    /// <summary>The market's and its lanes' state, to save (between steps, so no thread is in a lane).</summary>
    public MarketState Save(long nowMs) =>
        new(Price, Lowest, Highest, _random.State, new(Findings), Reconciliations, Unroutable, [.. Lanes.Select(l => l.Save(nowMs))]);

    /// <summary>Takes up a saved state (a resumed run).</summary>
    public void Load(MarketState state, long nowMs)
    {
        (Price, Lowest, Highest, _random, Reconciliations, Unroutable) = (state.Price, state.Lowest, state.Highest, SimRandom.FromState(state.Random), state.Reconciliations, state.Unroutable);
        foreach ((FindingKind kind, int count) in state.Findings)
        {
            Findings[kind] = count;
        }

        for (int i = 0; i < Lanes.Length; i++)
        {
            Lanes[i].Load(state.Lanes[i], nowMs);
        }
    }

    private ExchangeLane? LaneOf(string id) => Lanes.FirstOrDefault(l => l.Query(id) is not null);
}
