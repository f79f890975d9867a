namespace GridPositions.CoyoteTests;

/// <summary>Concurrent scenarios for closing, modifying and reconciling positions.</summary>
internal static class PositionScenarios
{
    private const decimal A = 100m, B = 101m;

    /// <summary>A manager on a clock the scenario moves, holding 1 bought at 100 in slot A.</summary>
    private static (SuperPositionManager Manager, ManualClock Clock) Holding()
    {
        var clock = new ManualClock();
        var m = new SuperPositionManager(new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m }, clock);
        OrderAction open = m.ClaimSlot(ClaimRequest.Place(A, OrderSide.Buy, A, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(open, "OPEN")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "OPEN", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        return (m, clock);
    }

    /// <summary>Sells the position through a close lease at <paramref name="price"/>: claim, place, fill.</summary>
    private static void FinishClose(SuperPositionManager m, PositionLease lease, decimal price, string orderId)
    {
        OrderAction close = m.ClaimCloseOrder(lease, price).Action!.Value;
        m.ApplyActionResults([OrderActionResult.Placed(close, orderId)]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = orderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = close.Quantity });
    }

    /// <summary>Two callers close the same position at once: exactly one close, a conflict for the other, PnL once.</summary>
    public static async Task CloseVersusClose()
    {
        (SuperPositionManager m, _) = Holding();
        var leases = new List<PositionLease>();
        int conflicts = 0;
        Task Closer() => Task.Run(() =>
        {
            try
            {
                CloseStart start = m.BeginClose(new CloseRequest(A));
                Check.Equal(CloseStatus.Started, start.Status, "close status");
                lock (leases)
                {
                    leases.Add(start.Lease!);
                }
            }
            catch (PositionConflictException conflict)
            {
                Check.That(conflict.Message.Contains("already closing", StringComparison.Ordinal), conflict.Message);
                Interlocked.Increment(ref conflicts);
            }

            Check.Invariants(m);
        });
        await Task.WhenAll(new[] { Closer(), Closer() });

        Check.Equal(1, leases.Count, "closes started");
        Check.Equal(1, Volatile.Read(ref conflicts), "callers told the position is already closing");
        FinishClose(m, leases[0], 103m, "CLOSE");
        Check.Equal((0m, 3m, 1L), (m.GetSlot(A)!.Inventory, m.GetSlot(A)!.RealizedPnl, m.GetSlot(A)!.RoundTrips), "position after the close");
        Check.Equal(CloseStatus.AlreadyFlat, m.BeginClose(new CloseRequest(A)).Status, "closing the closed position");
        Check.Invariants(m);
    }

    /// <summary>A close and a modify of the same position at once: never both held.</summary>
    public static async Task CloseVersusModify()
    {
        (SuperPositionManager m, _) = Holding();
        int holders = 0;
        void Hold(string who)
        {
            int now = Interlocked.Increment(ref holders);
            Check.That(now == 1, $"{who} holds the position while another caller also holds it");
        }

        Task closer = Task.Run(() =>
        {
            try
            {
                CloseStart start = m.BeginClose(new CloseRequest(A));
                Hold("the closer");
                Interlocked.Decrement(ref holders);
                start.Lease!.Dispose();
            }
            catch (PositionConflictException)
            {
            }
        });
        Task modifier = Task.Run(() =>
        {
            try
            {
                using PositionLease lease = m.BeginModify(new ModifyRequest(A, 95m, 110m, "coyote"));
                Hold("the modifier");
                Interlocked.Decrement(ref holders);
                m.CompleteModify(lease);
            }
            catch (PositionConflictException)
            {
            }
        });
        await Task.WhenAll(new[] { closer, modifier });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal(LeaseKind.None, slot.Lease, "lease after both finished");
        Check.That(slot.StopLoss is null or 95m, $"stop-loss {slot.StopLoss}");
        Check.Invariants(m);
    }

    /// <summary>
    /// A close races a fill of the position's resting closing order: whichever wins at the exchange, the position ends
    /// flat, no order is orphaned, and the profit is booked once.
    /// </summary>
    public static async Task CloseVersusFill()
    {
        (SuperPositionManager m, _) = Holding();
        OrderAction resting = m.ClaimSlot(ClaimRequest.Place(A, OrderSide.Sell, 105m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(resting, "REST")]);
        var exchange = new Scenarios.TinyExchange(1m);
        var fillReported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task filler = Task.Run(() =>
        {
            if (exchange.Fill(1m) is not null)
            {
                m.OnOrderUpdate(new OrderUpdate { OrderId = "REST", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            }

            fillReported.SetResult();
        });
        Task closer = Task.Run(async () =>
        {
            CloseStart start = m.BeginClose(new CloseRequest(A));
            if (start.Status == CloseStatus.AlreadyFlat)
            {
                return;
            }

            using PositionLease lease = start.Lease!;
            if (start.CancelFirst is { } cancel)
            {
                (bool canceled, decimal filled) = exchange.Cancel();
                m.ApplyActionResults([canceled ? OrderActionResult.Canceled(cancel) : OrderActionResult.Failed(cancel, "filled")]);
                if (canceled)
                {
                    m.OnOrderUpdate(new OrderUpdate { OrderId = "REST", Status = OrderStatus.Canceled, CumulativeFilledQuantity = filled });
                }
                else
                {
                    await fillReported.Task; // the fill won: its report completes the position
                }
            }

            if (lease.IsHeld)
            {
                FinishClose(m, lease, 99m, "CLOSE");
            }
        });
        await Task.WhenAll(new[] { filler, closer });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal((0m, SlotStatus.Free, LeaseKind.None), (slot.Inventory, slot.Status, slot.Lease), "position after the race");
        Check.That(slot.RealizedPnl == (exchange.Filled == 1m ? 5m : -1m), $"realised {slot.RealizedPnl} with the resting order {(exchange.Filled == 1m ? "filled" : "cancelled")}");
        Check.Equal(1L, slot.RoundTrips, "round trips");
        Check.Invariants(m);
    }

    /// <summary>
    /// A closer hangs past its lease; another caller takes the position over. The late finisher must be refused, and
    /// the position closed exactly once.
    /// </summary>
    public static async Task LeaseExpiryVersusLateFinisher()
    {
        (SuperPositionManager m, ManualClock clock) = Holding();
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lateFinisherRefused = false;

        Task late = Task.Run(() =>
        {
            PositionLease lease = m.BeginClose(new CloseRequest(A)).Lease!;
            clock.Advance(m.Options.LeaseTimeout); // the closer hangs for the whole lease
            expired.SetResult();
            try
            {
                m.ClaimCloseOrder(lease, 99m);
            }
            catch (LeaseLostException)
            {
                lateFinisherRefused = true;
            }
            catch (InvalidOperationException)
            {
                // The successor's closing order is in flight: also not a second close.
                lateFinisherRefused = true;
            }

            lease.Dispose(); // must not free the successor's lease
        });
        Task successor = Task.Run(async () =>
        {
            await expired.Task;
            CloseStart start = m.BeginClose(new CloseRequest(A));
            Check.Equal(CloseStatus.Started, start.Status, "the successor's close");
            FinishClose(m, start.Lease!, 103m, "CLOSE2");
        });
        await Task.WhenAll(new[] { late, successor });

        Check.That(lateFinisherRefused, "the closer whose lease expired was allowed to claim a closing order");
        SlotView slot = m.GetSlot(A)!;
        Check.Equal((0m, 3m, 1L), (slot.Inventory, slot.RealizedPnl, slot.RoundTrips), "position after the takeover");
        Check.Invariants(m);
    }

    /// <summary>
    /// Reconciliation races live traffic: a fill the exchange reported, a fill arriving on the stream, and a place
    /// result arriving for a claim the exchange did not list yet. Every fill is booked once; nothing live is freed.
    /// </summary>
    public static async Task ReconcileVersusLiveUpdates()
    {
        var clock = new ManualClock();
        var m = new SuperPositionManager(new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m }, clock);
        OrderAction live = m.ClaimSlot(ClaimRequest.Place(A, OrderSide.Buy, A, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(live, "XA")]);
        OrderAction pending = m.ClaimSlot(ClaimRequest.Place(B, OrderSide.Buy, B, 1m)).Action;
        ReconciliationTicket ticket = m.BeginReconciliation();
        var snapshot = new ExchangeSnapshot(
            clock.GetUtcNow(),
            [new ExchangeOrder("XA", live.ClientOrderId, OrderSide.Buy, A, 2m, OrderStatus.PartiallyFilled, 1m)]);

        Task reconciler = Task.Run(() =>
        {
            ReconciliationReport report = m.Reconcile(ticket, snapshot);
            Check.Equal(0, report.Count(FindingKind.NeverPlaced), "ambiguous places freed");
            Check.Invariants(m);
        });
        Task stream = Task.Run(() =>
        {
            m.OnOrderUpdate(new OrderUpdate { OrderId = "XA", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });
            Check.Equal(InputDisposition.Applied, m.ApplyActionResults([OrderActionResult.Placed(pending, "XB")])[0].Disposition, "the pending claim's place result");
            Check.Invariants(m);
        });
        await Task.WhenAll(new[] { reconciler, stream });

        Check.Equal((SlotStatus.Free, 2m), (m.GetSlot(A)!.Status, m.GetSlot(A)!.Inventory), "slot A");
        Check.Equal((SlotStatus.Live, "XB"), (m.GetSlot(B)!.Status, m.GetSlot(B)!.Order?.OrderId), "slot B");
        Check.Invariants(m);
    }

    /// <summary>
    /// Reconciliation no longer holds the book's lock for its whole pass, so a strategy claim can land between its slot
    /// pass and its adoption of an open order of ours that no slot knew, at the same free level. Exactly one of them
    /// gets the slot; the other is told (the claim refused, or the order reported with a cancel to send).
    /// </summary>
    public static async Task ReconcileAdoptionVersusClaim()
    {
        var clock = new ManualClock();
        var m = new SuperPositionManager(new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m }, clock);
        string ours = m.Options.ClientOrderIdPrefix + "lost-1";
        ReconciliationTicket ticket = m.BeginReconciliation();
        var snapshot = new ExchangeSnapshot(clock.GetUtcNow(), [new ExchangeOrder("XB", ours, OrderSide.Buy, B, 1m, OrderStatus.New, 0m)]);
        ReconciliationReport? report = null;
        ClaimResult claim = default;

        Task reconciler = Task.Run(() =>
        {
            report = m.Reconcile(ticket, snapshot);
            Check.Invariants(m);
        });
        Task strategy = Task.Run(() =>
        {
            claim = m.ClaimSlot(ClaimRequest.Place(B, OrderSide.Buy, B, 1m));
            Check.Invariants(m);
        });
        await Task.WhenAll(new[] { reconciler, strategy });

        bool adopted = report!.Count(FindingKind.Adopted) == 1;
        Check.That(adopted != claim.IsAccepted, $"adopted {adopted} and claim accepted {claim.IsAccepted}: exactly one may own slot B");
        Check.Equal(adopted ? 0 : 1, report.CancelsToIssue.Count, "cancels for the order no slot took");
        Check.Equal(adopted ? ours : claim.Action.ClientOrderId, m.GetSlot(B)!.Order?.ClientOrderId, "slot B's order");
        Check.Invariants(m);
    }

    /// <summary>
    /// A closer claims the cancel of the slot's resting order and dies before sending it. After its lease expires, a
    /// rescuer closes the position while a reconciler and a replayed stream race it. The dead closer's claim must not
    /// outlive its lease: the rescuer gets a cancel of its own, and the position ends closed, exactly once. Claims time
    /// out only after an hour here, so nothing but the lease's end can free the dead closer's cancel.
    /// </summary>
    public static async Task DeadCloserThenRescuer()
    {
        var clock = new ManualClock();
        var m = new SuperPositionManager(new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m, PendingClaimTimeout = TimeSpan.FromHours(1) }, clock);
        OrderAction open = m.ClaimSlot(ClaimRequest.Place(A, OrderSide.Buy, A, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(open, "REST")]);
        var partial = new OrderUpdate { OrderId = "REST", ClientOrderId = open.ClientOrderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m };
        m.OnOrderUpdate(partial);
        var exchange = new Scenarios.TinyExchange(2m, filled: 1m);
        var died = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task deadCloser = Task.Run(() =>
        {
            CloseStart start = m.BeginClose(new CloseRequest(A));
            Check.That(start.CancelFirst is not null, "the first closer got no cancel for the resting order");
            clock.Advance(m.Options.LeaseTimeout); // ...and dies: the cancel is never sent, the lease never released
            died.SetResult();
        });
        Task rescuer = Task.Run(async () =>
        {
            await died.Task;
            CloseStart start = m.BeginClose(new CloseRequest(A));
            Check.Equal(CloseStatus.Started, start.Status, "the rescuer's close");
            using PositionLease lease = start.Lease!;
            if (m.GetSlot(A)!.Status != SlotStatus.Free)
            {
                Check.That(start.CancelFirst is not null, $"the rescuer got no cancel while the slot is {m.GetSlot(A)!.Status}: the dead closer's claim outlived its lease");
                (bool canceled, decimal filled) = exchange.Cancel();
                Check.That(canceled, "the resting order could not be cancelled");
                m.ApplyActionResults([OrderActionResult.Canceled(start.CancelFirst!.Value)]);
                m.OnOrderUpdate(new OrderUpdate { OrderId = "REST", ClientOrderId = open.ClientOrderId, Status = OrderStatus.Canceled, CumulativeFilledQuantity = filled });
            }

            FinishClose(m, lease, 103m, "CLOSE");
        });
        Task reconciler = Task.Run(async () =>
        {
            await died.Task;
            ReconciliationTicket ticket = m.BeginReconciliation();
            ExchangeOrder rest = exchange.View("REST", open.ClientOrderId, A);
            m.Reconcile(ticket, rest.Status == OrderStatus.Canceled
                ? new ExchangeSnapshot(clock.GetUtcNow(), [], [rest])
                : new ExchangeSnapshot(clock.GetUtcNow(), [rest]));
            Check.Invariants(m);
        });
        Task replay = Task.Run(() => m.OnOrderUpdate(partial)); // a second connection replays an old update
        await Task.WhenAll(new[] { deadCloser, rescuer, reconciler, replay });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal((SlotStatus.Free, 0m, 1L, LeaseKind.None), (slot.Status, slot.Inventory, slot.RoundTrips, slot.Lease), "the position after the rescue");
        Check.Equal(3m, slot.RealizedPnl, "realised once: 1 bought at 100, sold at 103");
        Check.Invariants(m);
    }

    /// <summary>
    /// Two executors die: one after sending its place (the exchange has the order; its result comes only much later,
    /// racing everything), one before sending. The stream's early update for the sent order parks. Past the claim
    /// timeout, reconciliation must adopt the sent order by its client id and, after the grace period, free the slot
    /// of the one never sent. No claim stays pending past its timeout plus one reconciliation.
    /// </summary>
    public static async Task DeadExecutorThenTimeout()
    {
        var clock = new ManualClock();
        TimeSpan timeout = TimeSpan.FromSeconds(5);
        var m = new SuperPositionManager(new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m, PendingClaimTimeout = timeout, AmbiguousPlaceGracePeriod = timeout }, clock);
        OrderAction sent = m.ClaimSlot(ClaimRequest.Place(A, OrderSide.Buy, A, 1m)).Action;
        OrderAction neverSent = m.ClaimSlot(ClaimRequest.Place(B, OrderSide.Buy, B, 1m)).Action;
        var onExchange = new ExchangeOrder("XA", sent.ClientOrderId, OrderSide.Buy, A, 1m, OrderStatus.New, 0m);
        var timedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task stream = Task.Run(() => m.OnOrderUpdate(new OrderUpdate { OrderId = "XA", Status = OrderStatus.New })); // no client id: parks until XA is known
        Task lateExecutor = Task.Run(async () =>
        {
            await timedOut.Task;
            ResultOutcome outcome = m.ApplyActionResults([OrderActionResult.Placed(sent, "XA")])[0];
            Check.That(outcome.Disposition is InputDisposition.Applied or InputDisposition.Duplicate, $"the late result was {outcome}");
            Check.Invariants(m);
        });
        Task reconciler = Task.Run(() =>
        {
            clock.Advance(timeout);
            timedOut.SetResult();
            m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(clock.GetUtcNow(), [onExchange]));
            Check.Invariants(m);
            clock.Advance(timeout);
            m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(clock.GetUtcNow(), [onExchange]));
            Check.Invariants(m);
        });
        await Task.WhenAll(new[] { stream, lateExecutor, reconciler });

        // One more reconciliation at most settles what the race left (the late result may have deferred slot A's turn).
        m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(clock.GetUtcNow(), [onExchange]));
        Check.Equal((SlotStatus.Live, "XA"), (m.GetSlot(A)!.Status, m.GetSlot(A)!.Order?.OrderId), "the sent order's slot");
        Check.Equal(SlotStatus.Free, m.GetSlot(B)!.Status, "the slot of the place never sent");
        Check.Equal(0, m.ParkedUpdateCount, "updates still parked");
        Check.That(m.ClaimSlot(ClaimRequest.Place(B, OrderSide.Buy, B, 1m)).IsAccepted, "slot B cannot be claimed again");
        Check.Invariants(m);
        _ = neverSent;
    }

    /// <summary>A clock only the scenario moves (Interlocked, so Coyote sees every read and write).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
