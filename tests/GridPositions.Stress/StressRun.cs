using System.Diagnostics;

namespace GridPositions.Stress;

/// <summary>
/// Worker threads drive one manager with claims, results and updates against a <see cref="StressExchange"/> for a set
/// time; the run's own thread watches for progress. Then everything still in flight is delivered, and the books are
/// checked against the exchange's: invariants, every input accounted for, every fill booked once, no slot stuck.
/// </summary>
public sealed class StressRun : IAsyncDisposable
{
    private const decimal TickSize = 0.01m;
    private const decimal QuantityStep = 0.01m;
    private const decimal Spacing = 0.5m;
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(250);

    private readonly StressOptions _options;
    private readonly SuperPositionManager _manager;
    private readonly StressExchange _exchange;
    private readonly decimal[] _levels;
    private readonly object _stallGate = new();
    private readonly object _stallRelease = new();
    private readonly List<string> _failures = [];
    private bool _released;
    private volatile bool _stop;
    private long _startTimestamp;

    /// <summary>Sets up a run; <see cref="Run"/> starts it.</summary>
    public StressRun(StressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Levels, 1, nameof(options));
        _options = options;
        _manager = new SuperPositionManager(new PositionManagerOptions
        {
            Symbol = "STRESS",
            TickSize = TickSize,
            QuantityStep = QuantityStep,
            Direction = options.Direction,
        });
        _exchange = new StressExchange(_manager.OpeningSide, QuantityStep, options.Sabotage);
        _levels = Enumerable.Range(0, options.Levels).Select(i => 100m + (i * Spacing)).ToArray();
    }

    /// <summary>Runs the workers for the set duration, drains, checks, and reports.</summary>
    /// <summary>Disposes the manager under stress.</summary>
    public ValueTask DisposeAsync() => _manager.DisposeAsync();

    public StressReport Run()
    {
        var workers = Enumerable.Range(0, _options.Threads).Select(i => new Worker(i, new Random((_options.Seed * 1000) + i))).ToArray();
        _startTimestamp = Stopwatch.GetTimestamp();
        foreach (Worker worker in workers)
        {
            worker.Thread = new Thread(() => Work(worker)) { IsBackground = true, Name = $"stress worker {worker.Index}" };
            worker.Thread.Start();
        }

        string? stall = Watch(workers);
        TimeSpan ran = Stopwatch.GetElapsedTime(_startTimestamp);
        if (stall is not null)
        {
            ReleaseStall();
            return Report(workers, ran, ["no progress for " + _options.StallTimeout.TotalSeconds + " s\n" + stall]);
        }

        var finisher = new Worker(-1, new Random(_options.Seed));
        DrainAndSettle(finisher);
        return Report([.. workers, finisher], ran, [.. _failures, .. Verify([.. workers, finisher])]);
    }

    /// <summary>Samples progress until the workers have run their time and exited; returns a stall report if they stop moving.</summary>
    private string? Watch(Worker[] workers)
    {
        long lastOperations = -1;
        long lastMoved = Stopwatch.GetTimestamp();
        long lastSample = lastMoved;
        long sampledOperations = 0;
        while (workers.Any(w => w.Thread!.IsAlive))
        {
            Thread.Sleep(s_tick);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
            if (elapsed >= _options.Duration)
            {
                _stop = true;
            }

            long operations = workers.Sum(w => Volatile.Read(ref w.Operations));
            if (operations != lastOperations)
            {
                lastOperations = operations;
                lastMoved = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastMoved) >= _options.StallTimeout && workers.Any(w => w.Thread!.IsAlive))
            {
                _stop = true;
                return DescribeStall(workers);
            }

            TimeSpan sinceSample = Stopwatch.GetElapsedTime(lastSample);
            if (_options.Progress is { } progress && sinceSample >= _options.ProgressInterval)
            {
                progress(new StressProgress(
                    elapsed,
                    operations,
                    (operations - sampledOperations) / sinceSample.TotalSeconds,
                    workers.Min(w => Volatile.Read(ref w.Operations)) / elapsed.TotalSeconds,
                    _manager.Counters,
                    GC.GetTotalMemory(forceFullCollection: false)));
                lastSample = Stopwatch.GetTimestamp();
                sampledOperations = operations;
            }
        }

        return null;
    }

    private static string DescribeStall(Worker[] workers)
    {
        var names = workers.ToDictionary(w => w.Thread!.ManagedThreadId, w => w.Thread!.Name!);
        IEnumerable<string> doing = workers.Select(w =>
        {
            (string operation, long since) = w.Current;
            return $"  worker {w.Index}: in {operation} for {Stopwatch.GetElapsedTime(since).TotalSeconds:F1} s, after {Volatile.Read(ref w.Operations)} calls";
        });
        return "what each worker was doing:\n" + string.Join('\n', doing) + "\nstacks:\n" + StackCapture.Describe(names);
    }

    private void Work(Worker worker)
    {
        Random random = worker.Random;
        try
        {
            for (long i = 1; !_stop; i++)
            {
                if (_options.Sabotage == StressSabotage.StallWorkers)
                {
                    Sabotage(worker);
                }

                int roll = random.Next(100);
                if (roll < 20)
                {
                    Claim(worker);
                }
                else if (roll < 40)
                {
                    worker.Begin("exchange: execute an action");
                    _exchange.ExecuteOne(random);
                }
                else if (roll < 50)
                {
                    worker.Begin("exchange: fill an order");
                    _exchange.FillOne(random);
                }
                else
                {
                    worker.Begin("exchange: take messages");
                    _exchange.TakeMessages(random, 1 + random.Next(8), worker.Batch);
                    Deliver(worker);
                }

                if (i % 4096 == 0)
                {
                    worker.Begin(nameof(SuperPositionManager.ExpireParkedUpdates));
                    _manager.ExpireParkedUpdates();
                    worker.Done();
                }

                if (i % 65_536 == 0)
                {
                    // The check is documented as safe at any time, so the run uses it mid-flight too.
                    worker.Begin(nameof(SuperPositionManager.CheckInvariants));
                    InvariantCheckResult check = _manager.CheckInvariants();
                    worker.Done();
                    if (!check.Holds)
                    {
                        Fail($"mid-run invariant check by worker {worker.Index}: {check.Violation}");
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail($"worker {worker.Index} threw during {worker.Current.Operation}: {e}");
        }

        worker.Begin("exited");
    }

    private void Claim(Worker worker)
    {
        Random random = worker.Random;
        decimal level = _levels[random.Next(_levels.Length)];
        ClaimRequest request;
        if (random.Next(6) == 0)
        {
            request = ClaimRequest.Cancel(level);
        }
        else
        {
            worker.Begin(nameof(SuperPositionManager.GetSlot));
            decimal held = _manager.GetSlot(level)?.Inventory ?? 0m;
            decimal closePrice = level + (_manager.OpeningSide == OrderSide.Buy ? Spacing : -Spacing);
            request = held > 0
                ? ClaimRequest.Place(level, _manager.ClosingSide, closePrice, held)
                : ClaimRequest.Place(level, _manager.OpeningSide, level, QuantityStep * (1 + random.Next(5)));
        }

        worker.ClaimsMade++;
        worker.Begin(nameof(SuperPositionManager.ClaimSlot));
        ClaimResult result = _manager.ClaimSlot(request);
        worker.Done();
        if (result.IsAccepted)
        {
            worker.Begin("exchange: submit an action");
            _exchange.Submit(result.Action);
        }
    }

    /// <summary>Delivers the worker's batch: updates one by one, results in one call, in either order.</summary>
    private void Deliver(Worker worker)
    {
        bool resultsFirst = worker.Random.Next(2) == 0;
        int results = 0;
        foreach (object message in worker.Batch)
        {
            if (message is OrderActionResult result)
            {
                worker.Results[results++] = result;
            }
        }

        if (resultsFirst)
        {
            ApplyResults(worker, results);
        }

        foreach (object message in worker.Batch)
        {
            if (message is OrderUpdate update)
            {
                worker.UpdatesDelivered++;
                worker.Begin(nameof(SuperPositionManager.OnOrderUpdate));
                _manager.OnOrderUpdate(update);
                worker.Done();
            }
        }

        if (!resultsFirst)
        {
            ApplyResults(worker, results);
        }

        worker.Batch.Clear();
    }

    private void ApplyResults(Worker worker, int count)
    {
        if (count == 0)
        {
            return;
        }

        worker.ResultsDelivered += count;
        worker.Begin(nameof(SuperPositionManager.ApplyActionResults));
        _manager.ApplyActionResults(worker.Results.AsSpan(0, count), worker.Outcomes.AsSpan(0, count));
        worker.Done(count);
        for (int i = 0; i < count; i++)
        {
            if (worker.Outcomes[i].CancelToIssue is { } orphan)
            {
                worker.Begin("exchange: cancel an orphan");
                _exchange.CancelOrphan(orphan, worker.Random);
            }
        }
    }

    /// <summary>Executes and delivers everything left, then gives the manager the exchange's final word on open orders.</summary>
    private void DrainAndSettle(Worker finisher)
    {
        while (!_exchange.IsQuiet)
        {
            _exchange.ExecuteAll(finisher.Random);
            while (_exchange.TakeMessages(finisher.Random, 8, finisher.Batch) > 0)
            {
                Deliver(finisher);
            }
        }

        foreach (OrderUpdate update in _exchange.FinalWord())
        {
            finisher.UpdatesDelivered++;
            _manager.OnOrderUpdate(update);
            finisher.Done();
        }
    }

    private List<string> Verify(Worker[] workers)
    {
        var failures = new List<string>();
        InvariantCheckResult check = _manager.CheckInvariants();
        if (!check.Holds)
        {
            failures.Add($"invariant broken at the end: {check.Violation}");
        }

        ManagerCounters c = _manager.Counters;
        long claims = workers.Sum(w => w.ClaimsMade);
        long results = workers.Sum(w => w.ResultsDelivered);
        long updates = workers.Sum(w => w.UpdatesDelivered);
        Expect(failures, "claims made = accepted + rejected", claims, c.ClaimsAccepted + c.ClaimsRejected);
        Expect(failures, "results delivered = applied + duplicate + stale + rejected", results, c.ResultsApplied + c.ResultsDuplicate + c.ResultsStale + c.ResultsRejected);
        Expect(failures, "updates delivered = applied + duplicate + stale + rejected + expired + still parked", updates,
            c.UpdatesApplied + c.UpdatesDuplicate + c.UpdatesStale + c.UpdatesRejected + c.UpdatesExpired + _manager.ParkedUpdateCount);

        int sign = _manager.OpeningSide == OrderSide.Buy ? 1 : -1;
        Dictionary<string, (string OrderId, decimal Filled)> open = _exchange.OpenOrders();
        foreach (decimal level in _levels)
        {
            SlotView? slot = _manager.GetSlot(level);
            SlotBooks books = _exchange.BooksOf(level);
            decimal inventory = slot?.Inventory ?? 0m;
            Expect(failures, $"slot {level}: inventory = exchange's bought - sold", books.Opened - books.Closed, inventory);

            // Realised = closed trips' exits - their entries - their fees; what is still held keeps its entry and fees.
            decimal expectedPnl = (sign * (books.ExitQuote - (books.EntryQuote - (slot?.EntryNotional ?? 0m)))) - (books.Fees - (slot?.EntryFees ?? 0m));
            decimal pnl = slot?.RealizedPnl ?? 0m;
            // Flat, the books are exact; holding after a partial close, the held share is rounded to 12 places.
            decimal tolerance = inventory == 0 ? 0m : 1e-9m;
            if (Math.Abs(expectedPnl - pnl) > tolerance)
            {
                failures.Add($"slot {level}: realised PnL {pnl}, the exchange's fills give {expectedPnl}");
            }

            if (slot is null)
            {
                continue;
            }

            if (slot.Status is not (SlotStatus.Free or SlotStatus.Live))
            {
                failures.Add($"slot {level}: stuck {slot.Status} after everything was delivered");
            }
            else if (slot.Order is { } order)
            {
                if (!open.Remove(order.ClientOrderId, out (string OrderId, decimal Filled) truth))
                {
                    failures.Add($"slot {level}: holds order {order.ClientOrderId}, which the exchange has closed");
                }
                else if (order.OrderId != truth.OrderId || order.FilledQuantity != truth.Filled)
                {
                    failures.Add($"slot {level}: order {order.ClientOrderId} is {order.OrderId} filled {order.FilledQuantity}, the exchange says {truth.OrderId} filled {truth.Filled}");
                }
            }
        }

        foreach ((string clientOrderId, (string orderId, _)) in open)
        {
            failures.Add($"order {orderId} ({clientOrderId}) is open on the exchange but no slot holds it");
        }

        return failures;
    }

    private static void Expect(List<string> failures, string what, decimal expected, decimal actual)
    {
        if (expected != actual)
        {
            failures.Add($"{what}: expected {expected}, got {actual}");
        }
    }

    private StressReport Report(Worker[] workers, TimeSpan ran, List<string> failures)
    {
        Worker[] timed = workers.Where(w => w.Index >= 0).ToArray();
        return new StressReport(
            failures,
            ran,
            timed.Length,
            workers.Sum(w => Volatile.Read(ref w.Operations)),
            timed.Min(w => Volatile.Read(ref w.Operations)) / ran.TotalSeconds,
            timed.Max(w => Volatile.Read(ref w.Operations)) / ran.TotalSeconds,
            _exchange.OrdersOpened,
            _exchange.Fills,
            _exchange.Sabotaged,
            _manager.Counters,
            _manager.GetTotals());
    }

    private void Fail(string failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }

        _stop = true;
    }

    /// <summary>Worker 0 takes the gate after a second and waits for a release that comes only after the stall report.</summary>
    private void Sabotage(Worker worker)
    {
        if (worker.Index == 0 && Stopwatch.GetElapsedTime(_startTimestamp) > TimeSpan.FromSeconds(1))
        {
            worker.Begin("holding the stall gate");
            lock (_stallGate)
            {
                lock (_stallRelease)
                {
                    while (!_released)
                    {
                        Monitor.Wait(_stallRelease);
                    }
                }
            }
        }

        worker.Begin("waiting for the stall gate");
        lock (_stallGate)
        {
        }
    }

    private void ReleaseStall()
    {
        lock (_stallRelease)
        {
            _released = true;
            Monitor.PulseAll(_stallRelease);
        }
    }

    /// <summary>One worker's state. Its counters are written by its own thread only; the watcher reads them.</summary>
    private sealed class Worker(int index, Random random)
    {
        private volatile string _operation = "starting";
        private long _since = Stopwatch.GetTimestamp();

        public int Index { get; } = index;
        public Random Random { get; } = random;
        public Thread? Thread { get; set; }
        public List<object> Batch { get; } = new(8);
        public OrderActionResult[] Results { get; } = new OrderActionResult[8];
        public ResultOutcome[] Outcomes { get; } = new ResultOutcome[8];
        public long ClaimsMade { get; set; }
        public long ResultsDelivered { get; set; }
        public long UpdatesDelivered { get; set; }

        /// <summary>Manager calls completed; read by the watcher.</summary>
#pragma warning disable CA1051 // a field, so the watcher can read it with Volatile.Read
        public long Operations;
#pragma warning restore CA1051

        /// <summary>What the worker is doing and since when (the two may be read from neighbouring calls: fine for a report).</summary>
        public (string Operation, long Since) Current => (_operation, Volatile.Read(ref _since));

        public void Begin(string operation)
        {
            Volatile.Write(ref _since, Stopwatch.GetTimestamp());
            _operation = operation;
        }

        public void Done(int calls = 1)
        {
            Volatile.Write(ref Operations, Operations + calls);
            Begin("between calls");
        }
    }
}
