using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// Issue 12, "restore and recovery": everything a restarted manager must remember, checked on each way of restarting:
/// restore from a snapshot, reopen a store from its journal, reopen a store after a checkpoint. A manager that forgot
/// a slot's last finished order would park a resent terminal update instead of counting it a duplicate, and accept
/// its client order id again.
/// </summary>
public class RestartMemoryTests
{
    private static readonly PositionManagerOptions s_options = new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        CheckpointEveryRecords = 0,
    };

    public static TheoryData<string> Restarts => new() { "restore", "reopen from the journal", "reopen after a checkpoint" };

    /// <summary>What the traffic before the restart left behind, for the checks after it.</summary>
    private sealed record Before(
        OrderAction Buy,
        OrderAction Sell,
        OrderAction Live,
        OrderAction Failed,
        IReadOnlyList<SlotView> Slots,
        ManagerCounters Counters,
        long HighestToken,
        IReadOnlyList<string> ClientIds);

    /// <summary>A round trip at 100 (buy B1 then sell S1, both with chosen client ids), a half-filled live order at 101, a failed place at 102, an update parked.</summary>
    private static Before Trade(SuperPositionManager m)
    {
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, "my-buy-1")).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", ClientOrderId = "my-buy-1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m });
        OrderAction sell = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m, "my-sell-1")).Action;
        m.ApplyActionResults([OrderActionResult.Placed(sell, "S1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "S1", ClientOrderId = "my-sell-1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m });
        OrderAction live = m.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(live, "L1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "L1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.05m });
        OrderAction failed = m.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Failed(failed, "rejected")]);
        Assert.Equal(InputDisposition.Parked, m.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New }));
        return new Before(buy, sell, live, failed, m.GetSlots(), m.Counters, failed.ClaimToken, [buy.ClientOrderId, sell.ClientOrderId, live.ClientOrderId, failed.ClientOrderId]);
    }

    private static (SuperPositionManager Restarted, Before Before, IDisposable Lifetime) Restart(string how, FakeTimeProvider time)
    {
        if (how == "restore")
        {
            var original = new SuperPositionManager(s_options, time);
            Before before = Trade(original);
            return (SuperPositionManager.Restore(original.CreateSnapshot(), s_options, time), before, new StoreDirectory());
        }

        var dir = new StoreDirectory();
        Before traded;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path))
        {
            SuperPositionManager m = SuperPositionManager.Open(store, s_options, time);
            traded = Trade(m);
            if (how == "reopen after a checkpoint")
            {
                m.Checkpoint();
            }
        }

        FilePositionStore reopened = FilePositionStore.Open(dir.Path);
        return (SuperPositionManager.Open(reopened, s_options, time), traded, new Both(reopened, dir));
    }

    [Theory]
    [MemberData(nameof(Restarts))]
    public void ARestartedManager_RemembersEachSlotsLastFinishedOrder(string how)
    {
        (SuperPositionManager m, Before before, IDisposable lifetime) = Restart(how, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        using (lifetime)
        {
            // A resent terminal update of the last order, by either id, is a duplicate: never parked, never booked again.
            Assert.Equal(InputDisposition.Duplicate, m.OnOrderUpdate(new OrderUpdate { OrderId = "S1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.1m }));
            Assert.Equal(InputDisposition.Duplicate, m.OnOrderUpdate(new OrderUpdate { ClientOrderId = "my-sell-1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m }));
            Assert.Equal(InputDisposition.Duplicate, m.ApplyActionResults([OrderActionResult.Placed(before.Sell, "S1")])[0].Disposition);
            Assert.Equal(0.8m, m.GetSlot(100m)!.RealizedPnl);

            // Its client order id stays refused for a new order.
            ClaimResult reuse = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m, "my-sell-1"));
            Assert.Equal(ClaimRejection.Invalid, reuse.Rejection);
            Assert.Contains("already in use", reuse.Detail, StringComparison.Ordinal);

            // A failed place's late success is an orphan to cancel, not a live order of the freed slot.
            ResultOutcome orphan = m.ApplyActionResults([OrderActionResult.Placed(before.Failed, "F1")])[0];
            Assert.Equal((InputDisposition.Stale, "F1"), (orphan.Disposition, orphan.CancelToIssue?.OrderId));
            Assert.True(m.CheckInvariants().Holds);
        }
    }

    [Theory]
    [MemberData(nameof(Restarts))]
    public void ARestartedManager_KeepsItsLiveOrdersPositionsAndSequences(string how)
    {
        (SuperPositionManager m, Before before, IDisposable lifetime) = Restart(how, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        using (lifetime)
        {
            Assert.Equal(before.Slots, m.GetSlots());

            // The live order routes by its exchange id and by its client id, and books only the growth of its fill.
            Assert.Equal(InputDisposition.Duplicate, m.OnOrderUpdate(new OrderUpdate { OrderId = "L1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeFee = 0.05m }));
            Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(new OrderUpdate { ClientOrderId = before.Live.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m, CumulativeFee = 0.1m }));
            Assert.Equal((2m, 202m, 0.1m), (m.GetSlot(101m)!.Inventory, m.GetSlot(101m)!.EntryNotional, m.GetSlot(101m)!.EntryFees));

            // Tokens and generated client ids go on from where they were: nothing is ever reused.
            OrderAction next = m.ClaimSlot(ClaimRequest.Place(103m, OrderSide.Buy, 103m, 1m)).Action;
            Assert.True(next.ClaimToken > before.HighestToken, $"token {next.ClaimToken} after {before.HighestToken}");
            Assert.DoesNotContain(next.ClientOrderId, before.ClientIds);
            Assert.True(m.CheckInvariants().Holds);
        }
    }

    [Theory]
    [MemberData(nameof(Restarts))]
    public void ARestartedManager_RemembersWhatItsSnapshotHolds_OlderFinishedOrdersParkedUpdatesAndCounters(string how)
    {
        (SuperPositionManager m, Before before, IDisposable lifetime) = Restart(how, new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        using (lifetime)
        {
            InputDisposition olderOrder = m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
            if (how == "reopen from the journal")
            {
                // Documented: the journal keeps each slot's last order; older finished ids, parked updates and counters
                // are remembered as of the last checkpoint (here, the empty one Open wrote).
                Assert.Equal(InputDisposition.Parked, olderOrder);
                Assert.Equal(1, m.ParkedUpdateCount); // B1 itself: EARLY was parked after that checkpoint, so it is gone
                Assert.Equal(0, m.Counters.ClaimsAccepted);
                return;
            }

            Assert.Equal(InputDisposition.Stale, olderOrder); // recognised as a finished order of slot 100 (not its last), not parked
            Assert.Equal(ClaimRejection.Invalid, m.ClaimSlot(ClaimRequest.Place(104m, OrderSide.Buy, 104m, 1m, "my-buy-1")).Rejection);
            Assert.Equal(1, m.ParkedUpdateCount); // EARLY still waits for its order
            Assert.Equal(before.Counters with { UpdatesStale = before.Counters.UpdatesStale + 1, ClaimsRejected = before.Counters.ClaimsRejected + 1 }, m.Counters);
            Assert.True(m.CheckInvariants().Holds);
        }
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
