using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// Every path that changes a slot journals it: a store reopened right after shows exactly the slots the live manager
/// showed. A change made in memory but not journaled is lost at the next restart, silently. Each scenario is one of
/// the quieter paths (a refusal that still ends a lease, a reconciliation that frees a slot, a claim lapsing).
/// </summary>
public class JournalCompletenessTests
{
    private static readonly PositionManagerOptions s_options = new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        CheckpointEveryRecords = 0, // reopen from the journal alone
        LeaseTimeout = TimeSpan.FromMinutes(5),
    };

    private static OrderAction Claim(SuperPositionManager m, decimal level, OrderSide side, decimal price, decimal quantity = 1m) =>
        m.ClaimSlot(ClaimRequest.Place(level, side, price, quantity)).Action;

    private static void Fill(SuperPositionManager m, OrderAction action, string orderId, decimal quantity, decimal quote)
    {
        m.ApplyActionResults([OrderActionResult.Placed(action, orderId)]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = orderId, ClientOrderId = action.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = quantity, CumulativeQuoteQuantity = quote });
    }

    public static TheoryData<string> Scenarios => new()
    {
        "a modify refused because the position closed meanwhile",
        "an ambiguous place reconciled as never placed",
        "a claim that lapsed before the lease holder's next call",
        "a cancel claim given back when it lapsed",
    };

    private static void Run(string scenario, SuperPositionManager m, FakeTimeProvider time)
    {
        switch (scenario)
        {
            case "a modify refused because the position closed meanwhile":
                Fill(m, Claim(m, 100m, OrderSide.Buy, 100m), "B1", 1m, 100m);
                OrderAction close = Claim(m, 100m, OrderSide.Sell, 101m);
                m.ApplyActionResults([OrderActionResult.Placed(close, "S1")]);
                PositionLease modify = m.BeginModify(new ModifyRequest(100m, 95m, null, "tighten"));
                m.OnOrderUpdate(new OrderUpdate { OrderId = "S1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
                Assert.Throws<InvalidOperationException>(() => m.CompleteModify(modify));
                Assert.Equal(LeaseKind.None, m.GetSlot(100m)!.Lease); // the refusal ended the lease
                break;
            case "an ambiguous place reconciled as never placed":
                m.ApplyActionResults([OrderActionResult.Ambiguous(Claim(m, 100m, OrderSide.Buy, 100m), "timeout")]);
                time.Advance(s_options.AmbiguousPlaceGracePeriod);
                ReconciliationReport report = m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(time.GetUtcNow(), []));
                Assert.Equal(FindingKind.NeverPlaced, Assert.Single(report.Findings).Kind);
                break;
            case "a claim that lapsed before the lease holder's next call":
                Fill(m, Claim(m, 100m, OrderSide.Buy, 100m), "B1", 1m, 100m);
                PositionLease lease = m.BeginClose(new CloseRequest(100m)).Lease!;
                m.ClaimCloseOrder(lease, 101m);
                time.Advance(s_options.PendingClaimTimeout);
                Assert.Throws<OrderInFlightException>(() => m.ClaimCloseOrder(lease, 101m));
                Assert.Equal(SlotStatus.Unknown, m.GetSlot(100m)!.Status);
                break;
            case "a cancel claim given back when it lapsed":
                Fill(m, Claim(m, 100m, OrderSide.Buy, 100m), "B1", 1m, 100m);
                m.ApplyActionResults([OrderActionResult.Placed(Claim(m, 100m, OrderSide.Sell, 105m), "S1")]);
                PositionLease closing = m.BeginClose(new CloseRequest(100m)).Lease!; // claims the resting order's cancel
                time.Advance(s_options.PendingClaimTimeout);
                Assert.True(m.ClaimCancel(closing).IsAccepted); // the lapsed cancel was given back, so it can be claimed again
                Assert.Equal(1, m.Counters.ClaimsLapsed);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void AStoreReopenedRightAfter_ShowsTheSlotsTheLiveManagerShowed(string scenario)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        using var dir = new StoreDirectory();
        IReadOnlyList<SlotView> live;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, s_options, time);
            Run(scenario, m, time);
            live = m.GetSlots();
        }

        using FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        SuperPositionManager restarted = SuperPositionManager.Open(reopened, s_options, time);

        Assert.Equal(live.Select(Comparable), restarted.GetSlots().Select(Comparable));
    }

    /// <summary>
    /// What a restart keeps of a slot. A lease is the process's own, so a restart drops it. Every claim lapses at
    /// recovery: a pending place becomes Unknown, and an unanswered cancel is given back (the order is live again).
    /// </summary>
    private static SlotView Comparable(SlotView slot) => slot with
    {
        Status = slot.Status switch { SlotStatus.PendingPlace => SlotStatus.Unknown, SlotStatus.PendingCancel => SlotStatus.Live, _ => slot.Status },
        Order = slot.Order is { CancelPending: true } order ? order with { CancelPending = false } : slot.Order,
        Lease = LeaseKind.None,
        LeaseExpiresAt = null,
    };

    [Fact]
    public void AClaimLapsedAtRecovery_IsJournaled_SoTheNextRecoveryKeepsWhenItBecameAmbiguous()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        using var dir = new StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            Claim(SuperPositionManager.Open(store, s_options, time), 100m, OrderSide.Buy, 100m); // the process dies before the result
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            Assert.Equal(SlotStatus.Unknown, SuperPositionManager.Open(store, s_options, time).GetSlot(100m)!.Status); // ambiguous from now
        }

        time.Advance(s_options.AmbiguousPlaceGracePeriod);
        using FilePositionStore third = FilePositionStore.Open(dir.Path);
        SuperPositionManager m = SuperPositionManager.Open(third, s_options, time);

        // The grace period runs from the first recovery, not from this one: the place is old enough to free now.
        ReconciliationReport report = m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(time.GetUtcNow(), []));
        Assert.Equal(FindingKind.NeverPlaced, Assert.Single(report.Findings).Kind);
        Assert.Equal(SlotStatus.Free, m.GetSlot(100m)!.Status);
    }
}
