using System.Diagnostics;
using System.Globalization;
using GridPositions;

namespace GridBot.Simulation;

/// <summary>
/// A grid bot trading a random-walk market on a simulated exchange, in virtual time. Several threads drive it, each
/// owning a share of the grid levels: it matches that share's orders, delivers their REST replies and WebSocket updates
/// to the one shared <see cref="SuperPositionManager"/>, and runs the strategy for them. Between steps the threads meet
/// at a barrier, where the market moves, the clock advances, and now and then the bot reconciles with the exchange.
/// </summary>
public sealed class Simulation : IAsyncDisposable
{
    /// <summary>The market's price increment.</summary>
    public const decimal TickSize = 0.01m;

    /// <summary>The market's quantity increment.</summary>
    public const decimal QuantityStep = 0.001m;

    private const decimal OrderQuantity = 0.010m;
    private const int StepMs = 25;
    private static readonly TimeSpan s_reconcileEvery = TimeSpan.FromMinutes(2);

    private readonly SimulationOptions _options;
    private readonly TextWriter? _progress;
    private readonly SimulatedClock _clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly SuperPositionManager _manager;
    private readonly ExchangeLane[] _lanes;
    private readonly Random _market;
    private readonly Dictionary<FindingKind, int> _findings = [];
    private readonly List<string> _failures = [];
    private long _nowMs;
    private long _closedAtMs = -1;
    private long _nextReconcileMs;
    private long _nextProgressMs;
    private decimal _price;
    private decimal _lowest;
    private decimal _highest;
    private int _reconciliations;
    private bool _finished;
    private long _wallStart;

    /// <summary>Sets up the market, the exchange and the bot.</summary>
    /// <param name="options">What to simulate.</param>
    /// <param name="progress">Where progress lines go, or null for none.</param>
    public Simulation(SimulationOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _progress = options.ProgressEvery > TimeSpan.Zero ? progress : null;
        _manager = new SuperPositionManager(new PositionManagerOptions
        {
            Symbol = "SIMUSDT",
            TickSize = TickSize,
            QuantityStep = QuantityStep,
            Direction = options.Direction,
        }, _clock);
        _lanes = Enumerable.Range(0, options.Levels)
            .Select(i => new ExchangeLane(i, options.StartPrice + ((i - (options.Levels / 2)) * options.Spacing), options.Seed))
            .ToArray();
        _market = new Random(options.Seed);
        _price = _lowest = _highest = options.StartPrice;
        _nextReconcileMs = (long)s_reconcileEvery.TotalMilliseconds;
        _nextProgressMs = (long)options.ProgressEvery.TotalMilliseconds;
    }

    /// <summary>Runs the market for the simulated duration, lets everything in flight land, checks the books, and reports.</summary>
    /// <summary>Disposes the simulated bot's manager.</summary>
    public ValueTask DisposeAsync() => _manager.DisposeAsync();

    public SimulationReport Run()
    {
        _wallStart = Stopwatch.GetTimestamp();
        var strategies = new GridStrategy[_options.Threads];
        using (var barrier = new Barrier(_options.Threads, _ => BetweenSteps()))
        {
            Thread[] threads = Enumerable.Range(0, _options.Threads).Select(t => new Thread(() =>
            {
                strategies[t] = new GridStrategy(_manager, _options.Spacing, OrderQuantity);
                Drive(t, strategies[t], barrier);
            })
            { Name = $"bot thread {t}" }).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }

        return Report(strategies);
    }

    /// <summary>One thread's loop: for each level it owns, match, deliver what is due, and let the strategy act.</summary>
    private void Drive(int thread, GridStrategy strategy, Barrier barrier)
    {
        try
        {
            while (!Volatile.Read(ref _finished))
            {
                long now = _nowMs;
                bool marketOpen = _closedAtMs < 0;
                for (int i = thread; i < _lanes.Length; i += _options.Threads)
                {
                    ExchangeLane lane = _lanes[i];
                    if (marketOpen)
                    {
                        lane.Match(_price, QuantityStep, now);
                    }

                    while (lane.NextForBot(now) is { } message)
                    {
                        Deliver(lane, message, now);
                    }

                    if (marketOpen && strategy.Act(lane.SlotPrice, _price) is { } action)
                    {
                        lane.Send(action, now);
                    }
                }

                barrier.SignalAndWait();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_failures)
            {
                _failures.Add($"{Thread.CurrentThread.Name} failed: {e}");
            }

            Volatile.Write(ref _finished, true);
            barrier.RemoveParticipant(); // the others finish their step and see the flag
        }
    }

    /// <summary>The executor's and the WebSocket handler's part: hand the message to the manager.</summary>
    private void Deliver(ExchangeLane lane, object message, long now)
    {
        if (message is OrderUpdate update)
        {
            _manager.OnOrderUpdate(update);
            return;
        }

        ResultOutcome outcome = _manager.ApplyActionResults([(OrderActionResult)message])[0];
        if (outcome.CancelToIssue is { } orphan)
        {
            lane.Send(orphan, now); // the order went live for a slot that no longer wanted it
        }
    }

    /// <summary>Runs alone between steps: moves the clock and the market, reconciles, reports progress, decides when to stop.</summary>
    private void BetweenSteps()
    {
        _nowMs += StepMs;
        _clock.Advance(TimeSpan.FromMilliseconds(StepMs));
        if (_closedAtMs < 0)
        {
            MoveMarket();
            if (_nowMs >= _options.Duration.TotalMilliseconds)
            {
                _closedAtMs = _nowMs; // no more orders or fills: let what is in flight land
                _nextReconcileMs = _nowMs + 10_000;
            }
        }

        if (_nowMs % 1_000 == 0)
        {
            _manager.ExpireParkedUpdates();
        }

        if (_nowMs >= _nextReconcileMs)
        {
            Reconcile();
            _nextReconcileMs = _nowMs + (_closedAtMs < 0 ? (long)s_reconcileEvery.TotalMilliseconds : 10_000);
        }

        if (_progress is not null && _nowMs >= _nextProgressMs)
        {
            _nextProgressMs += (long)_options.ProgressEvery.TotalMilliseconds;
            PositionTotals totals = _manager.GetTotals();
            _progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[market {SimulationReport.Clock(TimeSpan.FromMilliseconds(_nowMs))} | wall {Stopwatch.GetElapsedTime(_wallStart).TotalSeconds,5:F1} s] price {_price,8:F2}  fills {_manager.Counters.FillsApplied,7:N0}  round trips {totals.RoundTrips,6:N0}  realised {totals.RealizedPnl,10:F4}  held {totals.Inventory,6:F3}  parked {_manager.ParkedUpdateCount,3}"));
        }

        // Settled: nothing on the wire, and long enough after the close for a lost order's grace period to pass.
        bool graceOver = _closedAtMs >= 0 && _nowMs - _closedAtMs > _manager.Options.AmbiguousPlaceGracePeriod.TotalMilliseconds + 10_000;
        if (graceOver && !_lanes.Any(l => l.Busy))
        {
            Reconcile();
            Volatile.Write(ref _finished, true);
        }
    }

    /// <summary>A random walk in ticks with a gentle pull back to the start, so the price keeps crossing the grid.</summary>
    private void MoveMarket()
    {
        double gaussian = Math.Sqrt(-2 * Math.Log(1 - _market.NextDouble())) * Math.Cos(2 * Math.PI * _market.NextDouble());
        double pull = (double)((_options.StartPrice - _price) / TickSize) * 0.0005;
        decimal ticks = (decimal)Math.Round((gaussian * 2.5) + pull);
        _price = Math.Max(TickSize, _price + (ticks * TickSize));
        _lowest = Math.Min(_lowest, _price);
        _highest = Math.Max(_highest, _price);
    }

    /// <summary>Compares the manager with the exchange's open and recent orders and its position, and does what it asks.</summary>
    private void Reconcile()
    {
        ReconciliationTicket ticket = _manager.BeginReconciliation();
        var open = new List<ExchangeOrder>();
        var closed = new List<ExchangeOrder>();
        foreach (ExchangeLane lane in _lanes)
        {
            lane.Snapshot(open, closed, _nowMs);
        }

        ReconciliationReport report = _manager.Reconcile(ticket, new ExchangeSnapshot(_clock.GetUtcNow(), open, closed, ExchangePosition()));
        _reconciliations++;
        foreach (ReconciliationFinding finding in report.Findings)
        {
            _findings[finding.Kind] = _findings.GetValueOrDefault(finding.Kind) + 1;
        }

        foreach (OrderAction cancel in report.CancelsToIssue)
        {
            LaneOf(cancel.OrderId ?? cancel.ClientOrderId)?.Send(cancel, _nowMs);
        }

        foreach (string id in report.OrdersToQuery)
        {
            if (LaneOf(id)?.Query(id) is { } order)
            {
                _manager.OnOrderUpdate(order.ToUpdate());
            }
        }
    }

    private ExchangeLane? LaneOf(string id) => _lanes.FirstOrDefault(l => l.Query(id) is not null);

    /// <summary>The exchange's position: bought minus sold (negative is short).</summary>
    private decimal ExchangePosition() => _lanes.Sum(l => l.Bought - l.Sold);

    private SimulationReport Report(GridStrategy[] strategies)
    {
        int sign = _manager.OpeningSide == OrderSide.Buy ? 1 : -1;
        var failures = new List<string>(_failures);
        InvariantCheckResult check = _manager.CheckInvariants();
        if (!check.Holds)
        {
            failures.Add("invariant broken: " + check.Violation);
        }

        decimal cash = 0m, heldCost = 0m;
        foreach (ExchangeLane lane in _lanes)
        {
            SlotView? slot = _manager.GetSlot(lane.SlotPrice);
            decimal inventory = slot?.Inventory ?? 0m;
            decimal laneCash = lane.SellQuote - lane.BuyQuote - lane.Fees;
            decimal laneHeldCost = (sign * (slot?.EntryNotional ?? 0m)) + (slot?.EntryFees ?? 0m);
            cash += laneCash;
            heldCost += laneHeldCost;
            if (inventory != sign * (lane.Bought - lane.Sold))
            {
                failures.Add($"slot {lane.SlotPrice}: holds {inventory}, the exchange filled {lane.Bought} bought and {lane.Sold} sold");
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

        return new SimulationReport
        {
            Options = _options,
            WallTime = Stopwatch.GetElapsedTime(_wallStart),
            MarketTime = TimeSpan.FromMilliseconds(_nowMs),
            StartPrice = _options.StartPrice,
            EndPrice = _price,
            LowestPrice = _lowest,
            HighestPrice = _highest,
            ClaimsAccepted = strategies.Sum(s => s.ClaimsAccepted),
            ClaimsRefused = strategies.Sum(s => s.ClaimsRefused),
            OrdersOpened = _lanes.Sum(l => l.OrdersOpened),
            ExchangeFills = _lanes.Sum(l => l.Fills),
            Rejects = _lanes.Sum(l => l.Rejects),
            Timeouts = _lanes.Sum(l => l.Timeouts),
            DuplicatesSent = _lanes.Sum(l => l.DuplicatesSent),
            Counters = _manager.Counters,
            Totals = _manager.GetTotals(),
            ExchangeCash = cash,
            HeldCost = heldCost,
            ExchangePosition = ExchangePosition(),
            Reconciliations = _reconciliations,
            Findings = new SortedDictionary<FindingKind, int>(_findings),
            Failures = failures,
        };
    }
}
