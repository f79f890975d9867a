namespace GridPositions.Tests;

public class EventTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SlotChanged_FollowsTheSlotThroughItsLife_InOrder()
    {
        var grid = new TestGrid();
        var seen = new List<SlotView>();
        grid.Manager.SlotChanged += (_, e) => seen.Add(e.Slot); // delivered one at a time
        OrderAction action = grid.ClaimOpen(100m, 2m);
        string orderId = grid.Place(action);
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 0.5m);
        grid.Update(action, orderId, OrderStatus.PartiallyFilled, 0.5m); // duplicate: no event
        grid.Update(action, orderId, OrderStatus.Filled, 2m);

        await grid.Manager.FlushEventsAsync();

        Assert.Equal(
            [(SlotStatus.PendingPlace, 0m), (SlotStatus.Live, 0m), (SlotStatus.Live, 0.5m), (SlotStatus.Free, 2m)],
            seen.Select(v => (v.Status, v.Inventory)));
    }

    [Fact]
    public async Task Events_AreNeverRaisedOnTheCallersThread()
    {
        var grid = new TestGrid();
        var threads = new List<int>();
        grid.Manager.SlotChanged += (_, _) => { lock (threads) { threads.Add(Environment.CurrentManagedThreadId); } };
        grid.Manager.FillApplied += (_, _) => { lock (threads) { threads.Add(Environment.CurrentManagedThreadId); } };

        int caller = Environment.CurrentManagedThreadId;
        grid.OpenFilled(100m);
        await grid.Manager.FlushEventsAsync();

        Assert.NotEmpty(threads);
        Assert.DoesNotContain(caller, threads);
    }

    [Fact]
    public async Task SubscriberCallingBackIntoTheManager_DoesNotDeadlock()
    {
        var grid = new TestGrid();
        var claimedFromHandler = new TaskCompletionSource<ClaimResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        grid.Manager.FillApplied += (sender, e) =>
        {
            var manager = (SuperPositionManager)sender!;
            // Re-entrant: claim the closing order from inside the handler, and read state.
            ClaimResult close = manager.ClaimSlot(ClaimRequest.Place(e.SlotPrice, manager.ClosingSide, e.SlotPrice + 1m, e.Quantity));
            _ = manager.CheckInvariants();
            _ = manager.GetSlots();
            claimedFromHandler.TrySetResult(close);
        };

        grid.OpenFilled(100m);

        ClaimResult result = await claimedFromHandler.Task.WaitAsync(s_hangGuard);
        Assert.True(result.IsAccepted);
        await grid.Manager.FlushEventsAsync().WaitAsync(s_hangGuard);
        Assert.Equal(SlotStatus.PendingPlace, grid.Slot(100m).Status);
    }

    [Fact]
    public async Task SlowSubscriber_NeverBlocksTheManager()
    {
        var grid = new TestGrid();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int delivered = 0;
        grid.Manager.SlotChanged += (_, _) =>
        {
            gate.Task.Wait(); // a subscriber stuck until the test releases it
            Interlocked.Increment(ref delivered);
        };

        // Every manager call completes while the subscriber is stuck on the very first event.
        await Task.Run(() =>
        {
            for (int level = 0; level < 20; level++)
            {
                grid.OpenFilled(100m + level);
            }
        }).WaitAsync(s_hangGuard);
        Assert.Equal(0, Volatile.Read(ref delivered));

        gate.SetResult();
        await grid.Manager.FlushEventsAsync().WaitAsync(s_hangGuard);
        Assert.Equal(20 * 3, Volatile.Read(ref delivered)); // claimed, live, filled per level
    }

    [Fact]
    public async Task ThrowingSubscriber_IsCounted_AndNeitherOtherSubscribersNorLaterEventsAreLost()
    {
        var grid = new TestGrid();
        int delivered = 0;
        grid.Manager.SlotChanged += (_, _) => throw new InvalidOperationException("subscriber bug");
        grid.Manager.SlotChanged += (_, _) => Interlocked.Increment(ref delivered);

        grid.ClaimOpen(100m);
        grid.ClaimOpen(101m);
        await grid.Manager.FlushEventsAsync();

        Assert.Equal(2, delivered);
        Assert.Equal(2, grid.Manager.Counters.SubscriberFailures);
    }

    [Fact]
    public async Task FillEvents_ForOneSlot_ArriveInTheOrderTheFillsWereBooked_EvenWhenTwoThreadsRace()
    {
        var grid = new TestGrid();
        const int fills = 400;
        OrderAction action = grid.ClaimOpen(100m, fills);
        string orderId = grid.Place(action);
        var inventories = new List<decimal>();
        grid.Manager.FillApplied += (_, e) => inventories.Add(e.InventoryAfter);

        // Two feeds deliver the same cumulative sequence; each growth is booked once, by whichever feed wins.
        void Feed() { for (int cum = 1; cum <= fills; cum++) { grid.Update(action, orderId, OrderStatus.PartiallyFilled, cum); } }
        await Task.WhenAll(new[] { Task.Run(Feed), Task.Run(Feed) }).WaitAsync(s_hangGuard);
        await grid.Manager.FlushEventsAsync();

        Assert.Equal(fills, grid.Slot(100m).Inventory);
        Assert.Equal(inventories.Order(), inventories);
        Assert.Equal(inventories.Distinct().Count(), inventories.Count);
    }

    [Fact]
    public async Task FlushEventsAsync_WithoutSubscribers_Completes()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        await grid.Manager.FlushEventsAsync().WaitAsync(s_hangGuard);
    }

    /// <summary>
    /// Every public call that queues events schedules their delivery before it returns: none waits for a later call
    /// (or a flush) to be delivered. Checked after each call of a run that raises every kind of event.
    /// </summary>
    [Fact]
    public async Task EveryCallThatQueuesEvents_StartsTheirDelivery_BeforeItReturns()
    {
        var grid = new TestGrid();
        var kinds = new HashSet<string>();
        void Seen(object? sender, PositionEventArgs e) { lock (kinds) { kinds.Add(e.GetType().Name); } }
        SuperPositionManager m = grid.Manager;
        m.SlotChanged += Seen; m.FillApplied += Seen; m.RoundTripCompleted += Seen; m.InputRejected += Seen; m.UpdateExpired += Seen; m.TargetsChanged += Seen;
        void Step(string call, Action act)
        {
            act();
            Assert.False(m.Events.IsStalled, $"{call} returned with its events queued and no delivery started");
        }

        OrderAction open = default;
        Step("ClaimSlot", () => open = grid.ClaimOpen(100m, 2m));
        Step("ApplyActionResults", () => m.ApplyActionResults([OrderActionResult.Placed(open, "O1")]));
        Step("OnOrderUpdate", () => grid.Update(open, "O1", OrderStatus.Filled, 2m, quote: 200m));
        Step("OnOrderUpdate (parked)", () => m.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New }));
        Step("OnOrderUpdate (rejected)", () => grid.Update(open, "O2", OrderStatus.Filled, 2m));
        grid.Time.Advance(grid.Options.ParkedUpdateTimeToLive);
        Step("ExpireParkedUpdates", () => Assert.Equal(1, m.ExpireParkedUpdates()));
        Step("ModifyTargets", () => m.ModifyTargets(new ModifyRequest(100m, 95m, 110m, "bracket")));
        PositionLease modify = null!;
        Step("BeginModify", () => modify = m.BeginModify(new ModifyRequest(100m, 96m, null, "tighten")));
        Step("CompleteModify", () => m.CompleteModify(modify));
        CloseStart close = null!;
        Step("BeginClose", () => close = m.BeginClose(new CloseRequest(100m)));
        OrderAction closing = default;
        Step("ClaimCloseOrder", () => closing = m.ClaimCloseOrder(close.Lease!, 101m).Action!.Value);
        Step("ApplyActionResults (close)", () => m.ApplyActionResults([OrderActionResult.Placed(closing, "C1")]));
        Step("OnOrderUpdate (round trip)", () => grid.Update(closing, "C1", OrderStatus.Filled, 2m, quote: 202m));
        OrderAction lost = default;
        Step("ClaimSlot (to reconcile)", () => lost = grid.ClaimOpen(99m));
        Step("ApplyActionResults (ambiguous)", () => m.ApplyActionResults([OrderActionResult.Ambiguous(lost, "timeout")]));
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod);
        Step("Reconcile", () => m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(grid.Time.GetUtcNow(), [])));
        Step("CloseAll", () => m.CloseAll());

        await m.FlushEventsAsync();
        Assert.Equal(
            ["FillAppliedEventArgs", "InputRejectedEventArgs", "RoundTripCompletedEventArgs", "SlotChangedEventArgs", "TargetsChangedEventArgs", "UpdateExpiredEventArgs"],
            kinds.Order(StringComparer.Ordinal));
    }

    /// <summary>An event nobody listens for is not queued: it costs nothing and takes no number from those that are published.</summary>
    [Fact]
    public async Task EventsNobodyListensFor_AreNotQueued_SoThePublishedOnesAreNumberedWithoutGaps()
    {
        var grid = new TestGrid();
        var sequences = new List<long>();
        grid.Manager.SlotChanged += (_, e) => sequences.Add(e.Sequence); // the only subscriber
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New });
        grid.Time.Advance(grid.Options.ParkedUpdateTimeToLive);
        grid.Manager.ExpireParkedUpdates();                                   // UpdateExpired: nobody listens
        OrderAction open = grid.ClaimOpen(100m);                              // SlotChanged
        grid.Update(open, grid.Place(open), OrderStatus.Filled, 1m);         // SlotChanged twice; FillApplied: nobody listens
        grid.Update(open, "OTHER", OrderStatus.Filled, 1m);                  // InputRejected: nobody listens
        grid.Manager.ModifyTargets(new ModifyRequest(100m, 95m, null, "stop")); // SlotChanged; TargetsChanged: nobody listens
        OrderAction close = grid.ClaimClose(100m, 101m);                      // SlotChanged
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);       // SlotChanged twice; RoundTripCompleted: nobody listens

        await grid.Manager.FlushEventsAsync();

        Assert.True(sequences.Count >= 7, $"{sequences.Count} slot changes");
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }
}
