using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// Every path that changes a slot journals it: a store reopened right after shows exactly the slots the live manager
/// showed. A change made in memory but not journaled is lost at the next restart, silently. Each scenario is one of
/// the quieter paths (a reconciliation that frees or settles a slot, a claim lapsing at recovery).
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

    // Only paths whose journal record a reopen can tell apart belong here: a lease is not journaled, and a lapse that
    // recovery would repeat looks the same either way (those are proven by LeaseRulesTests and the recovery test below).
    public static TheoryData<string> Scenarios => new()
    {
        "an ambiguous place reconciled as never placed",
        "an ambiguous place adopted from the exchange",
    };

    private static void Run(string scenario, SuperPositionManager m, FakeTimeProvider time)
    {
        switch (scenario)
        {
            case "an ambiguous place reconciled as never placed":
                m.ApplyActionResults([OrderActionResult.Ambiguous(Claim(m, 100m, OrderSide.Buy, 100m), "timeout")]);
                time.Advance(s_options.AmbiguousPlaceGracePeriod);
                ReconciliationReport report = m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(time.GetUtcNow(), []));
                Assert.Equal(FindingKind.NeverPlaced, Assert.Single(report.Findings).Kind);
                break;
            case "an ambiguous place adopted from the exchange":
                OrderAction place = Claim(m, 100m, OrderSide.Buy, 100m);
                m.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]);
                ReconciliationReport adopted = m.Reconcile(m.BeginReconciliation(), new ExchangeSnapshot(time.GetUtcNow(), [new ExchangeOrder("X1", place.ClientOrderId, OrderSide.Buy, 100m, 1m, OrderStatus.PartiallyFilled, 0.5m)]));
                Assert.Equal(FindingKind.UnknownResolved, Assert.Single(adopted.Findings, f => f.Kind != FindingKind.MissedFill).Kind);
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
