namespace GridPositions.CoyoteTests;

/// <summary>
/// Concurrent scenarios driving the real <see cref="SuperPositionManager"/>. Each is a few tasks whose interleavings
/// Coyote explores; each checks the invariants at its await points and asserts the outcome it exists for at the end.
/// </summary>
internal static class Scenarios
{
    private const decimal A = 100m, B = 101m, C = 102m;

    public static SuperPositionManager NewManager() => new(
        new PositionManagerOptions
        {
            Symbol = "COYOTE",
            TickSize = 1m,
            QuantityStep = 1m,
            Direction = GridDirection.Long,
        },
        FixedClock.Instance);

    /// <summary>A fill update races its own place result. The stream carries only the exchange's id, so an update
    /// that wins the race matches nothing and must be parked, then re-driven when the result indexes the id.</summary>
    public static Func<Task> EarlyFill(bool duplicates) => async () =>
    {
        SuperPositionManager m = NewManager();
        OrderAction open = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 2m));
        var partial = new OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m };
        var filled = new OrderUpdate { OrderId = "X1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m };

        Task executor = Task.Run(() =>
        {
            Check.Equal(InputDisposition.Applied, m.ApplyActionResults([OrderActionResult.Placed(open, "X1")])[0].Disposition, "place result");
            Check.Invariants(m);
        });
        Task stream = Task.Run(() =>
        {
            Deliver(m, partial);
            Deliver(m, filled);
        });
        Task[] tasks = duplicates
            ? [executor, stream, Task.Run(() => { Deliver(m, filled); Deliver(m, partial); })] // a second connection replays both
            : [executor, stream];
        await Task.WhenAll(tasks);

        SlotView slot = m.GetSlot(A)!;
        Check.Equal(2m, slot.Inventory, "inventory after the fill (counted once)");
        Check.Equal(SlotStatus.Free, slot.Status, "slot after FILLED");
        Check.Equal(0, m.ParkedUpdateCount, "updates still parked");
        // One fill event or two: a re-driven partial may land after the FILLED update, as a duplicate.
        Check.That(m.Counters.FillsApplied is 1 or 2, $"{m.Counters.FillsApplied} fills booked for two reports");
        Check.Invariants(m);
    };

    /// <summary>A cancel races a fill of the same order at the exchange; whichever wins, the books must match it.</summary>
    public static async Task CancelRacingFill()
    {
        SuperPositionManager m = NewManager();
        OrderAction open = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 2m));
        m.ApplyActionResults([OrderActionResult.Placed(open, "X1")]);
        var exchange = new TinyExchange(2m);

        Task canceller = Task.Run(() =>
        {
            ClaimResult claim = m.ClaimSlot(ClaimRequest.Cancel(A));
            if (!claim.IsAccepted)
            {
                Check.That(m.GetSlot(A)!.Status == SlotStatus.Free, $"cancel refused ({claim.Rejection}) while the order is still the slot's");
                return;
            }

            (bool canceled, decimal filled) = exchange.Cancel();
            m.ApplyActionResults([canceled ? OrderActionResult.Canceled(claim.Action) : OrderActionResult.Failed(claim.Action, "already filled")]);
            Check.Invariants(m);
            if (canceled)
            {
                Deliver(m, new OrderUpdate { OrderId = "X1", ClientOrderId = open.ClientOrderId, Status = OrderStatus.Canceled, CumulativeFilledQuantity = filled });
            }
        });
        Task filler = Task.Run(() =>
        {
            for (int i = 0; i < 2; i++)
            {
                if (exchange.Fill(1m) is { } cumulative)
                {
                    Deliver(m, new OrderUpdate { OrderId = "X1", Status = cumulative == 2m ? OrderStatus.Filled : OrderStatus.PartiallyFilled, CumulativeFilledQuantity = cumulative });
                }
            }
        });
        await Task.WhenAll(new[] { canceller, filler });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal(exchange.Filled, slot.Inventory, "inventory against the exchange's fills");
        Check.Equal(SlotStatus.Free, slot.Status, "slot after the order's terminal update");
        Check.Invariants(m);
    }

    /// <summary>
    /// ABA: a place result is delayed while its fill arrives first, the slot closes its position with a new order,
    /// and only then (or between any of the phases) does the old result land. It must touch only its own order.
    /// </summary>
    public static async Task ResultAfterSlotRecycled()
    {
        SuperPositionManager m = NewManager();
        OrderAction open = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 1m));

        Task slowExecutor = Task.Run(() =>
        {
            ResultOutcome outcome = m.ApplyActionResults([OrderActionResult.Placed(open, "X1")])[0];

            // Applied or a duplicate; or, once the slot has finished a later order too, stale with a cancel for X1 that
            // the exchange will refuse (X1 is filled). Never anything that touches the closing order.
            bool staleWithCancel = outcome is { Disposition: InputDisposition.Stale, CancelToIssue.OrderId: "X1" };
            Check.That(outcome.Disposition is InputDisposition.Applied or InputDisposition.Duplicate || staleWithCancel, $"the delayed place result was {outcome}");
            Check.Invariants(m);
        });
        Task strategy = Task.Run(() =>
        {
            Deliver(m, new OrderUpdate { OrderId = "X1", ClientOrderId = open.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            OrderAction close = Claim(m, ClaimRequest.Place(A, OrderSide.Sell, B, 1m));
            Check.Equal(InputDisposition.Applied, m.ApplyActionResults([OrderActionResult.Placed(close, "X2")])[0].Disposition, "closing order's place result");
            Deliver(m, new OrderUpdate { OrderId = "X2", ClientOrderId = close.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        });
        await Task.WhenAll(new[] { slowExecutor, strategy });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal(0m, slot.Inventory, "inventory after the round trip");
        Check.Equal(1m, slot.RealizedPnl, "realised PnL of the round trip");
        Check.Equal(SlotStatus.Free, slot.Status, "slot after the round trip");
        Check.Invariants(m);
    }

    /// <summary>Two batches of results (the executor retried) race updates for the same slots.</summary>
    public static async Task TwoBatchesRacingUpdates()
    {
        SuperPositionManager m = NewManager();
        OrderAction a = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 1m));
        OrderAction b = Claim(m, ClaimRequest.Place(B, OrderSide.Buy, B, 2m));
        OrderAction c = Claim(m, ClaimRequest.Place(C, OrderSide.Buy, C, 1m));
        var outcomes = new List<ResultOutcome>();

        Task first = Task.Run(() => Record(m.ApplyActionResults([OrderActionResult.Placed(a, "XA"), OrderActionResult.Placed(b, "XB"), OrderActionResult.Placed(c, "XC")])));
        Task retry = Task.Run(() => Record(m.ApplyActionResults([OrderActionResult.Placed(c, "XC"), OrderActionResult.Placed(a, "XA")])));
        Task stream = Task.Run(() =>
        {
            Deliver(m, new OrderUpdate { OrderId = "XA", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            Deliver(m, new OrderUpdate { OrderId = "XB", ClientOrderId = b.ClientOrderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
        });
        await Task.WhenAll(new[] { first, retry, stream });

        Check.That(outcomes.All(o => o.Disposition is InputDisposition.Applied or InputDisposition.Duplicate), "a result was stale or rejected: " + string.Join(", ", outcomes));
        Check.Equal(5, outcomes.Count, "outcomes");
        Check.Equal((SlotStatus.Free, 1m), (m.GetSlot(A)!.Status, m.GetSlot(A)!.Inventory), "slot A");
        Check.Equal((SlotStatus.Live, 1m, "XB"), (m.GetSlot(B)!.Status, m.GetSlot(B)!.Inventory, m.GetSlot(B)!.Order!.OrderId), "slot B");
        Check.Equal((SlotStatus.Live, "XC"), (m.GetSlot(C)!.Status, m.GetSlot(C)!.Order!.OrderId), "slot C");
        Check.Invariants(m);

        void Record(IReadOnlyList<ResultOutcome> batch)
        {
            lock (outcomes)
            {
                outcomes.AddRange(batch);
            }

            Check.Invariants(m);
        }
    }

    /// <summary>Snapshots taken while fills land are consistent per slot, restorable, and never go backwards.</summary>
    public static async Task SnapshotRacingUpdates()
    {
        SuperPositionManager m = NewManager();
        OrderAction a = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 3m));
        OrderAction b = Claim(m, ClaimRequest.Place(B, OrderSide.Buy, B, 1m));
        m.ApplyActionResults([OrderActionResult.Placed(a, "XA"), OrderActionResult.Placed(b, "XB")]);
        var snapshots = new List<Wire.PositionManagerSnapshot>();

        Task stream = Task.Run(() =>
        {
            for (int cumulative = 1; cumulative <= 3; cumulative++)
            {
                Deliver(m, new OrderUpdate { OrderId = "XA", Status = cumulative == 3 ? OrderStatus.Filled : OrderStatus.PartiallyFilled, CumulativeFilledQuantity = cumulative });
            }

            Deliver(m, new OrderUpdate { OrderId = "XB", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        });
        Task snapshotter = Task.Run(() =>
        {
            snapshots.Add(m.CreateSnapshot());
            snapshots.Add(m.CreateSnapshot());
        });
        await Task.WhenAll(new[] { stream, snapshotter });
        snapshots.Add(m.CreateSnapshot());

        decimal previous = 0m;
        foreach (Wire.PositionManagerSnapshot snapshot in snapshots)
        {
            SuperPositionManager restored = SuperPositionManager.Restore(snapshot, m.Options); // checks every invariant
            decimal held = restored.GetSlot(A)!.Inventory;
            Check.That(held >= previous, $"a later snapshot holds {held} at {A}, an earlier one {previous}");
            previous = held;
        }

        SuperPositionManager last = SuperPositionManager.Restore(snapshots[^1], m.Options);
        Check.That(last.GetSlots().SequenceEqual(m.GetSlots()), "the final snapshot differs from the manager");
    }

    /// <summary>Event subscribers that call back into the manager while other tasks hold its locks: no deadlock.</summary>
    public static async Task SubscribersCallingBack()
    {
        SuperPositionManager m = NewManager();
        OrderAction a = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 1m));
        OrderAction b = Claim(m, ClaimRequest.Place(B, OrderSide.Buy, B, 1m));
        m.ApplyActionResults([OrderActionResult.Placed(a, "XA"), OrderActionResult.Placed(b, "XB")]);
        int closesClaimed = 0;
        m.SlotChanged += (sender, e) =>
        {
            var manager = (SuperPositionManager)sender!;
            if (e.Slot is { Status: SlotStatus.Free, Inventory: > 0 })
            {
                // Re-entrant: claim the closing order from the handler, and read state.
                if (manager.ClaimSlot(ClaimRequest.Place(e.Slot.Price, OrderSide.Sell, e.Slot.Price + 2, e.Slot.Inventory)).IsAccepted)
                {
                    Interlocked.Increment(ref closesClaimed);
                }

                _ = manager.GetSlots();
            }
        };

        Task fillA = Task.Run(() => Deliver(m, new OrderUpdate { OrderId = "XA", ClientOrderId = a.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Task fillB = Task.Run(() => Deliver(m, new OrderUpdate { OrderId = "XB", ClientOrderId = b.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
        Task other = Task.Run(() =>
        {
            m.ClaimSlots([ClaimRequest.Cancel(A), ClaimRequest.Cancel(B)]);
            Check.Invariants(m);
        });
        await Task.WhenAll(new[] { fillA, fillB, other });
        await m.FlushEventsAsync();
        await m.FlushEventsAsync(); // the handlers' own claims raise events too

        Check.Equal(2, Volatile.Read(ref closesClaimed), "closing orders claimed by the handler");
        Check.Equal(SlotStatus.PendingPlace, m.GetSlot(A)!.Status, "slot A after its handler claimed the close");
        Check.Equal(SlotStatus.PendingPlace, m.GetSlot(B)!.Status, "slot B after its handler claimed the close");
        Check.Invariants(m);
    }

    /// <summary>Many tasks claim the same slots at once: exactly one wins each slot.</summary>
    public static async Task ClaimStorm()
    {
        SuperPositionManager m = NewManager();
        var accepted = new List<OrderAction>();
        Task[] claimers = Enumerable.Range(0, 3).Select(i => Task.Run(() =>
        {
            ClaimRequest[] requests = i % 2 == 0
                ? [ClaimRequest.Place(A, OrderSide.Buy, A, 1m), ClaimRequest.Place(B, OrderSide.Buy, B, 1m)]
                : [ClaimRequest.Place(B, OrderSide.Buy, B, 1m), ClaimRequest.Place(A, OrderSide.Buy, A, 1m)];
            foreach (ClaimRequest request in requests)
            {
                ClaimResult result = m.ClaimSlot(request);
                Check.That(result.IsAccepted || result.Rejection == ClaimRejection.SlotBusy, $"claim refused as {result.Rejection}");
                if (result.IsAccepted)
                {
                    lock (accepted)
                    {
                        accepted.Add(result.Action);
                    }
                }

                Check.Invariants(m);
            }
        })).ToArray();
        await Task.WhenAll(claimers);

        foreach (decimal level in new[] { A, B })
        {
            var winners = accepted.Where(x => x.SlotPrice == level).ToList();
            Check.Equal(1, winners.Count, $"claims won at {level}");
            Check.Equal(winners[0].ClaimToken, m.GetSlot(level)!.Order!.ClaimToken, $"claim token held at {level}");
        }

        Check.Equal(2L, m.Counters.ClaimsAccepted, "claims accepted");
        Check.Invariants(m);
    }

    /// <summary>
    /// One order's fills reach the manager twice, as cumulative reports by its exchange id (which may beat the place
    /// result and park) and as trades by its client id, while a second connection replays a trade and a report. Fees
    /// come per trade. Whatever the interleaving, the books equal the exchange's: each trade once, each fee once.
    /// </summary>
    public static async Task TradeAndOrderStreamsRacing()
    {
        var m = new SuperPositionManager(
            new PositionManagerOptions { Symbol = "COYOTE", TickSize = 1m, QuantityStep = 1m, Direction = GridDirection.Long, FeesPerTrade = true },
            FixedClock.Instance);
        OrderAction open = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 3m));
        var c1 = new OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = 100m };
        var c2 = new OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 2m, CumulativeQuoteQuantity = 199m };
        OrderUpdate t1 = new TradeReport { ClientOrderId = open.ClientOrderId, TradeId = "t1", Quantity = 1m, Price = 100m, Fee = 0.1m }.ToUpdate();
        OrderUpdate t2 = new TradeReport { ClientOrderId = open.ClientOrderId, TradeId = "t2", Quantity = 1m, Price = 99m, Fee = 0.2m }.ToUpdate();

        Task executor = Task.Run(() => Check.Equal(InputDisposition.Applied, m.ApplyActionResults([OrderActionResult.Placed(open, "X1")])[0].Disposition, "place result"));
        Task orders = Task.Run(() =>
        {
            Deliver(m, c1);
            Deliver(m, c2);
        });
        Task trades = Task.Run(() =>
        {
            Deliver(m, t1);
            Deliver(m, t2);
        });
        Task replay = Task.Run(() =>
        {
            Deliver(m, t2);
            Deliver(m, c1);
        });
        await Task.WhenAll(new[] { executor, orders, trades, replay });

        SlotView slot = m.GetSlot(A)!;
        Check.Equal(2m, slot.Inventory, "inventory against the exchange's two trades (each once)");
        Check.Equal(199m, slot.EntryNotional, "entry notional of the two trades");
        Check.Equal(0.3m, slot.EntryFees, "fees of the two trades (each once)");
        Check.Equal(SlotStatus.Live, slot.Status, "the order, 2 of 3 filled");
        Check.Equal(0, m.ParkedUpdateCount, "updates still parked");
        Check.Invariants(m);
    }

    private static OrderAction Claim(SuperPositionManager m, ClaimRequest request)
    {
        ClaimResult result = m.ClaimSlot(request);
        Check.That(result.IsAccepted, $"claim refused: {result.Rejection} {result.Detail}");
        return result.Action;
    }

    private static void Deliver(SuperPositionManager m, OrderUpdate update)
    {
        m.OnOrderUpdate(update);
        Check.Invariants(m);
    }

    /// <summary>A clock that never moves, so ids and messages are the same in a run and in its replay.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public static readonly FixedClock Instance = new();

        public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The exchange's side of one order: cancel and fill race under its own lock.</summary>
    /// <summary>
    /// The lock-free fast path under conflicting ids and duplicates: one stream reports slot A's order with slot B's
    /// client id (a contradiction that must be rejected), while other streams replay and advance both orders. Whatever
    /// the interleaving, the contradiction is rejected, every real fill is booked once, and the indexes stay right.
    /// </summary>
    public static async Task FastPathConflictsAndDuplicates()
    {
        SuperPositionManager m = NewManager();
        OrderAction a = Claim(m, ClaimRequest.Place(A, OrderSide.Buy, A, 2m));
        OrderAction b = Claim(m, ClaimRequest.Place(B, OrderSide.Buy, B, 2m));
        m.ApplyActionResults([OrderActionResult.Placed(a, "XA"), OrderActionResult.Placed(b, "XB")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "XA", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
        InputDisposition conflict = InputDisposition.Applied;

        Task liar = Task.Run(() => conflict = m.OnOrderUpdate(new OrderUpdate { OrderId = "XA", ClientOrderId = b.ClientOrderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m }));
        Task streamA = Task.Run(() =>
        {
            Deliver(m, new OrderUpdate { OrderId = "XA", ClientOrderId = a.ClientOrderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
            Deliver(m, new OrderUpdate { OrderId = "XA", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });
        });
        Task streamB = Task.Run(() =>
        {
            Deliver(m, new OrderUpdate { OrderId = "XB", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
            Deliver(m, new OrderUpdate { OrderId = "XB", ClientOrderId = b.ClientOrderId, Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
        });
        await Task.WhenAll(new[] { liar, streamA, streamB });

        Check.Equal(InputDisposition.Rejected, conflict, "an update naming slot A's order with slot B's client id");
        Check.Equal((2m, SlotStatus.Free), (m.GetSlot(A)!.Inventory, m.GetSlot(A)!.Status), "slot A");
        Check.Equal((1m, SlotStatus.Live), (m.GetSlot(B)!.Inventory, m.GetSlot(B)!.Status), "slot B");
        Check.Equal(1L, m.Counters.UpdatesRejected, "updates rejected");
        Check.Invariants(m);
    }

    /// <summary>
    /// Three callers change three slots at once while subscribers listen. Events are delivered by one drain at a time:
    /// no two handler calls overlap, and each slot's events arrive in the order its changes were made.
    /// </summary>
    public static async Task EventsOneDrainAtATime()
    {
        SuperPositionManager m = NewManager();
        int active = 0, overlaps = 0;
        var seen = new Dictionary<decimal, List<SlotStatus>>();
        m.SlotChanged += (_, e) =>
        {
            if (Interlocked.Increment(ref active) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            lock (seen)
            {
                (seen.TryGetValue(e.Slot.Price, out List<SlotStatus>? list) ? list : seen[e.Slot.Price] = []).Add(e.Slot.Status);
            }

            Interlocked.Decrement(ref active);
        };

        Task Trade(decimal level, string orderId) => Task.Run(() =>
        {
            OrderAction open = Claim(m, ClaimRequest.Place(level, OrderSide.Buy, level, 1m));
            m.ApplyActionResults([OrderActionResult.Placed(open, orderId)]);
            m.OnOrderUpdate(new OrderUpdate { OrderId = orderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        });
        await Task.WhenAll(new[] { Trade(A, "XA"), Trade(B, "XB"), Trade(C, "XC") });
        await m.FlushEventsAsync();

        Check.Equal(0, Volatile.Read(ref overlaps), "handler calls that overlapped another");
        foreach (decimal level in new[] { A, B, C })
        {
            Check.Equal("PendingPlace Live Free", string.Join(' ', seen[level]), $"slot {level}'s events in order");
        }
    }

    internal sealed class TinyExchange(decimal quantity, decimal filled = 0m)
    {
        private readonly object _sync = new();
        private bool _canceled;

        public decimal Filled { get; private set; } = filled;

        /// <summary>The order as the exchange reports it to reconciliation now.</summary>
        public ExchangeOrder View(string orderId, string clientOrderId, decimal price)
        {
            lock (_sync)
            {
                OrderStatus status = _canceled ? OrderStatus.Canceled : Filled == quantity ? OrderStatus.Filled : Filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.New;
                return new ExchangeOrder(orderId, clientOrderId, OrderSide.Buy, price, quantity, status, Filled);
            }
        }

        public (bool Canceled, decimal Filled) Cancel()
        {
            lock (_sync)
            {
                if (Filled == quantity)
                {
                    return (false, Filled);
                }

                _canceled = true;
                return (true, Filled);
            }
        }

        public decimal? Fill(decimal amount)
        {
            lock (_sync)
            {
                if (_canceled || Filled == quantity)
                {
                    return null;
                }

                Filled += amount;
                return Filled;
            }
        }
    }
}
