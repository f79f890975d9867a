using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GridPositions;
using GridPositions.Hosting;

namespace GridBot.Simulation;

/// <summary>
/// A grid bot trading random-walk markets on a simulated exchange, in virtual time: one symbol, or several managers
/// under one <see cref="PositionHost"/>. Several threads drive it, each owning a share of the grid levels of every
/// symbol: it matches that share's orders, delivers their REST replies and WebSocket updates (updates through the host,
/// which routes them by client order id prefix), and runs the strategy for them. Between steps the threads meet at a
/// barrier, where the markets move, the clock advances, and now and then the bot reconciles with the exchange.
/// </summary>
public sealed class Simulation : IAsyncDisposable
{
    /// <summary>The market's price increment.</summary>
    public const decimal TickSize = 0.01m;

    /// <summary>The market's quantity increment.</summary>
    public const decimal QuantityStep = 0.001m;

    private const decimal OrderQuantity = 0.010m;

    /// <summary>Every symbol's quote asset (its base is the symbol without it).</summary>
    public const string QuoteAsset = "USDT";
    private const int StepMs = 25;
    private static readonly TimeSpan s_reconcileEvery = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset s_start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly SimulationOptions _options;
    private readonly TextWriter? _progress;
    private readonly SimulatedClock _clock;
    private readonly string? _statePath; // a --store run saves the exchange here
    private readonly long _resumedAtMs = -1;
    private readonly PositionHost _host;
    private readonly SimulationMeters? _meters;
    private readonly Market[] _markets;
    private readonly (Market Market, ExchangeLane Lane)[] _lanes; // every symbol's lanes; thread t drives t, t + threads, ...
    private readonly List<string> _failures = [];
    private long _nowMs;
    private long _closedAtMs = -1;
    private long _nextReconcileMs;
    private long _nextProgressMs;
    private bool _finished;
    private long _wallStart;

    /// <summary>Sets up the markets, the exchange and the bot (its managers opened, and recovered from the store if one is given).</summary>
    /// <param name="options">What to simulate.</param>
    /// <param name="progress">Where progress lines go, or null for none.</param>
    public Simulation(SimulationOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _statePath = options.StoreDirectory is { } store ? Path.Combine(store, SimulationState.FileName) : null;
        SimulationState? saved = _statePath is not null && File.Exists(_statePath) ? JsonSerializer.Deserialize<SimulationState>(File.ReadAllText(_statePath)) : null;
        if (saved is { Finished: true })
        {
            throw new ArgumentException($"--store {options.StoreDirectory}: that run finished; use a new folder.", nameof(options));
        }

        if (saved is not null)
        {
            // A killed run resumes as it was set up; only how it is watched (threads, progress, metrics) may change.
            options = options with
            {
                Levels = saved.Levels, Spacing = saved.Spacing, StartPrice = saved.StartPrice, Duration = saved.Duration,
                Seed = saved.Seed, Symbols = saved.Symbols, Direction = saved.Direction,
            };
            _resumedAtMs = saved.NowMs;
        }

        _options = options;
        _clock = new SimulatedClock(s_start.AddMilliseconds(saved?.NowMs ?? 0));
        _progress = options.ProgressEvery > TimeSpan.Zero ? progress : null;
        var hostOptions = new PositionHostOptions { StoreDirectory = options.StoreDirectory };
        for (int i = 0; i < options.Symbols; i++)
        {
            hostOptions.Add("sim", new PositionManagerOptions
            {
                Symbol = SymbolOf(i),
                BaseAsset = SymbolOf(i)[..^QuoteAsset.Length], // fees are booked by asset: the exchange takes some in the base asset
                QuoteAsset = QuoteAsset,
                TickSize = TickSize,
                QuantityStep = QuantityStep,
                Direction = options.Direction,
                FeesPerTrade = options.TradeReports, // with trade reports, the fees come per trade only
                ClientOrderIdPrefix = $"gp{i}x", // one prefix per symbol: the host routes updates by it
            });
        }

        _meters = options.Metrics ? new SimulationMeters() : null;
        _host = new PositionHost(hostOptions, _clock, meterFactory: _meters);
        _host.Open();
        _markets = [.. _host.Keys.Select((key, i) => new Market(_host, key, options, options.Seed + (i * 7_919)))];
        _lanes = [.. _markets.SelectMany(m => m.Lanes.Select(l => (m, l)))];
        _nextReconcileMs = (long)s_reconcileEvery.TotalMilliseconds;
        _nextProgressMs = (long)options.ProgressEvery.TotalMilliseconds;
        if (saved is not null)
        {
            (_nowMs, _closedAtMs, _nextReconcileMs) = (saved.NowMs, saved.ClosedAtMs, saved.NextReconcileMs);
            _nextProgressMs = _nowMs + (long)options.ProgressEvery.TotalMilliseconds;
            for (int i = 0; i < _markets.Length; i++)
            {
                _markets[i].Load(saved.Markets[i], _nowMs);
            }
        }
        else if (_statePath is not null)
        {
            Save(finished: false); // from now on the exchange sends the bot only what it has saved
        }
    }

    /// <summary>
    /// Saves the exchange and the markets (a --store run), replacing the file atomically; no fsync: it only has to
    /// outlive the bot's process, as a real exchange does. Runs between steps, when no thread is in a lane.
    /// </summary>
    private void Save(bool finished)
    {
        var state = new SimulationState(_options.Levels, _options.Spacing, _options.StartPrice, _options.Duration, _options.Seed, _options.Symbols, _options.Direction,
            _nowMs, _closedAtMs, _nextReconcileMs, finished, [.. _markets.Select(m => m.Save(_nowMs))]);
        File.WriteAllText(_statePath + ".tmp", JsonSerializer.Serialize(state));
        File.Move(_statePath + ".tmp", _statePath!, overwrite: true);
    }

    /// <summary>The name of the <paramref name="index"/>th symbol: SIMUSDT, then SIM2USDT, SIM3USDT...</summary>
    public static string SymbolOf(int index) => index == 0 ? "SIMUSDT" : $"SIM{index + 1}USDT";

    /// <summary>Runs one symbol's simulation (see <see cref="RunAll"/>) and returns its report.</summary>
    /// <exception cref="InvalidOperationException">The simulation has several symbols.</exception>
    public SimulationReport Run() => RunAll() is [var only] ? only : throw new InvalidOperationException("This simulation has several symbols: use RunAll.");

    /// <summary>Runs the markets for the simulated duration, lets everything in flight land, checks the books, and reports each symbol.</summary>
    public IReadOnlyList<SimulationReport> RunAll()
    {
        _wallStart = Stopwatch.GetTimestamp();
        var strategies = new GridStrategy[_options.Threads][];
        using (var barrier = new Barrier(_options.Threads, _ => BetweenSteps()))
        {
            Thread[] threads = Enumerable.Range(0, _options.Threads).Select(t => new Thread(() =>
            {
                strategies[t] = [.. _markets.Select(m => new GridStrategy(m.Manager, _options.Spacing, OrderQuantity))];
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

        return [.. _markets.Select((m, i) => Report(m, [.. strategies.Select(s => s[i])]))];
    }

    /// <summary>What the meter measured, one line per measurement (empty without <see cref="SimulationOptions.Metrics"/>).</summary>
    public string DescribeMetrics() => _meters?.Describe() ?? string.Empty;

    /// <summary>Ends the managers: a last flush and checkpoint on a store.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _meters?.Dispose();
    }

    /// <summary>One thread's loop: for each level it owns, match, deliver what is due, and let the strategy act.</summary>
    private void Drive(int thread, GridStrategy[] strategies, Barrier barrier)
    {
        try
        {
            while (!Volatile.Read(ref _finished))
            {
                long now = _nowMs;
                bool marketOpen = _closedAtMs < 0;
                for (int i = thread; i < _lanes.Length; i += _options.Threads)
                {
                    (Market market, ExchangeLane lane) = _lanes[i];
                    if (marketOpen)
                    {
                        lane.Match(market.Price, QuantityStep, now);
                    }

                    while (lane.NextForBot(now) is { } message)
                    {
                        market.Deliver(lane, message, now);
                    }

                    if (marketOpen && strategies[i / _options.Levels].Act(lane.SlotPrice, market.Price) is { } action)
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

    /// <summary>Runs alone between steps: moves the clock and the markets, reconciles, reports progress, decides when to stop.</summary>
    private void BetweenSteps()
    {
        _nowMs += StepMs;
        _clock.Advance(TimeSpan.FromMilliseconds(StepMs));
        if (_closedAtMs < 0)
        {
            foreach (Market market in _markets)
            {
                market.Move();
            }

            if (_nowMs >= _options.Duration.TotalMilliseconds)
            {
                _closedAtMs = _nowMs; // no more orders or fills: let what is in flight land
                _nextReconcileMs = _nowMs + 10_000;
            }
        }

        if (_nowMs % 1_000 == 0)
        {
            foreach (Market market in _markets)
            {
                market.Manager.ExpireParkedUpdates();
            }
        }

        if (_nowMs >= _nextReconcileMs)
        {
            if (_statePath is not null)
            {
                Save(finished: false); // reconciliation tells the bot the exchange's state: it must be saved first
            }

            ReconcileAll();
            _nextReconcileMs = _nowMs + (_closedAtMs < 0 ? (long)s_reconcileEvery.TotalMilliseconds : 10_000);
        }

        if (_progress is not null && _nowMs >= _nextProgressMs)
        {
            _nextProgressMs += (long)_options.ProgressEvery.TotalMilliseconds;
            foreach (Market market in _markets)
            {
                PositionTotals totals = market.Manager.GetTotals();
                string symbol = _markets.Length == 1 ? string.Empty : $"{market.Key.Symbol,-9} ";
                _progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[market {SimulationReport.Clock(TimeSpan.FromMilliseconds(_nowMs))} | wall {Stopwatch.GetElapsedTime(_wallStart).TotalSeconds,5:F1} s] {symbol}price {market.Price,8:F2}  fills {market.Manager.Counters.FillsApplied,7:N0}  round trips {totals.RoundTrips,6:N0}  realised {totals.RealizedPnl,10:F4}  held {totals.Inventory,6:F3}  parked {market.Manager.ParkedUpdateCount,3}"));
            }
        }

        // Settled: nothing on the wire, and long enough after the close for a lost order's grace period to pass.
        bool graceOver = _closedAtMs >= 0 && _nowMs - _closedAtMs > _markets[0].Manager.Options.AmbiguousPlaceGracePeriod.TotalMilliseconds + 10_000;
        if (graceOver && !_lanes.Any(l => l.Lane.Busy))
        {
            if (_statePath is not null)
            {
                Save(finished: false);
            }

            ReconcileAll();
            Volatile.Write(ref _finished, true);
        }

        if (_statePath is not null && (_nowMs % (long)_options.SaveEvery.TotalMilliseconds == 0 || Volatile.Read(ref _finished)))
        {
            bool failed;
            lock (_failures)
            {
                failed = _failures.Count > 0;
            }

            Save(Volatile.Read(ref _finished) && !failed); // a run a failed thread stopped is not finished: it can be resumed
        }
    }

    private void ReconcileAll()
    {
        foreach (Market market in _markets)
        {
            market.Reconcile(_clock.GetUtcNow(), _nowMs);
        }
    }

    private SimulationReport Report(Market market, GridStrategy[] strategies)
    {
        var failures = new List<string>(_failures);
        failures.AddRange(market.Check());
        (decimal cash, decimal heldCost) = market.Account();
        return new SimulationReport
        {
            Options = _options,
            Symbol = market.Key.Symbol,
            Seed = market.Seed,
            ResumedAt = _resumedAtMs < 0 ? null : TimeSpan.FromMilliseconds(_resumedAtMs),
            WallTime = Stopwatch.GetElapsedTime(_wallStart),
            MarketTime = TimeSpan.FromMilliseconds(_nowMs),
            StartPrice = _options.StartPrice,
            EndPrice = market.Price,
            LowestPrice = market.Lowest,
            HighestPrice = market.Highest,
            ClaimsAccepted = strategies.Sum(s => s.ClaimsAccepted),
            ClaimsRefused = strategies.Sum(s => s.ClaimsRefused),
            OrdersOpened = market.Lanes.Sum(l => l.OrdersOpened),
            ExchangeFills = market.Lanes.Sum(l => l.Fills),
            Rejects = market.Lanes.Sum(l => l.Rejects),
            Timeouts = market.Lanes.Sum(l => l.Timeouts),
            DuplicatesSent = market.Lanes.Sum(l => l.DuplicatesSent),
            Counters = market.Manager.Counters,
            Totals = market.Manager.GetTotals(),
            ExchangeCash = cash,
            HeldCost = heldCost,
            ExchangePosition = market.ExchangePosition(),
            Reconciliations = market.Reconciliations,
            Findings = new SortedDictionary<FindingKind, int>(market.Findings),
            Failures = failures,
        };
    }
}
