using GridPositions.Persistence;
using GridPositions.Wire;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests;

/// <summary>
/// The per-call protocol, for every call that changes a slot: its change is on the store when the call returns, and
/// its events are delivered without anyone calling <see cref="SuperPositionManager.FlushEventsAsync"/>. (A call that
/// forgot to schedule its events would leave them queued until some later call; one that skipped the end of the
/// protocol would return before its change is durable.)
/// </summary>
public class CallContractTests
{
    /// <summary>Generous: only a hang reaches it. Delivery takes microseconds.</summary>
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(30);

    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Calls => new()
    {
        "claim a place", "claim a cancel", "apply a result", "apply an update", "begin a close", "claim the closing order",
        "claim a cancel under the lease", "release a lease", "renew a lease", "begin a modify", "complete a modify",
        "reconcile a missed fill", "lapse a claim past its timeout",
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task EveryCallThatChangesASlot_IsDurableWhenItReturns_AndItsEventsArriveWithoutAFlush(string call)
    {
        var store = new RecordingStore();
        var time = new FakeTimeProvider(s_start);
        SuperPositionManager m = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, CheckpointEveryRecords = 0 }, time);
        Action act = Prepare(m, time, call);

        // No subscriber until now, so nothing was queued and no drain is running: only the call's own scheduling can
        // deliver its event (a flush here would leave a drain winding down that could deliver it instead).
        var changed = new TaskCompletionSource<SlotView>(TaskCreationOptions.RunContinuationsAsynchronously);
        m.SlotChanged += (_, e) => changed.TrySetResult(e.Slot);
        int recordsBefore = store.Records.Count;
        long versionBefore = m.CreateSnapshot().Slots.Select(s => s.Version).DefaultIfEmpty(0).Max();

        act();

        Assert.True(store.Records.Count > recordsBefore, $"{call}: nothing was on the store when the call returned");
        Assert.True(store.Records[^1].Slot.Version > versionBefore, $"{call}: the last durable record is older than the change");
        SlotView delivered = await changed.Task.WaitAsync(s_hangGuard);
        Assert.Equal(100m, delivered.Price);
    }

    /// <summary>Brings the manager to where <paramref name="call"/> changes slot 100, and returns the call.</summary>
    private static Action Prepare(SuperPositionManager m, FakeTimeProvider time, string call)
    {
        OrderAction Open(decimal quantity)
        {
            OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, quantity)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
            return buy;
        }

        void Holding()
        {
            Open(1m);
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m });
        }

        switch (call)
        {
            case "claim a place":
                return () => m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
            case "claim a cancel":
                Open(2m);
                return () => Assert.True(m.ClaimSlot(ClaimRequest.Cancel(100m)).IsAccepted);
            case "apply a result":
                OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
                return () => m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
            case "apply an update":
                Open(2m);
                return () => m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
            case "begin a close":
                Holding();
                return () => m.BeginClose(new CloseRequest(100m));
            case "claim the closing order":
            {
                Holding();
                PositionLease lease = m.BeginClose(new CloseRequest(100m)).Lease!;
                return () => m.ClaimCloseOrder(lease, 101m);
            }

            case "claim a cancel under the lease":
            {
                Holding();
                OrderAction closing = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 101m, 1m)).Action;
                PositionLease lease = m.BeginClose(new CloseRequest(100m)).Lease!;
                m.ApplyActionResults([OrderActionResult.Placed(closing, "S1")]);
                return () => Assert.True(m.ClaimCancel(lease).IsAccepted);
            }

            case "release a lease":
            {
                Holding();
                PositionLease lease = m.BeginClose(new CloseRequest(100m)).Lease!;
                return lease.Dispose;
            }

            case "renew a lease":
            {
                Holding();
                PositionLease lease = m.BeginClose(new CloseRequest(100m)).Lease!;
                time.Advance(TimeSpan.FromSeconds(1));
                return () => lease.Renew();
            }

            case "begin a modify":
                Holding();
                return () => m.BeginModify(new ModifyRequest(100m, 90m, null, "test"));
            case "complete a modify":
            {
                Holding();
                PositionLease lease = m.BeginModify(new ModifyRequest(100m, 90m, null, "test"));
                return () => m.CompleteModify(lease);
            }

            case "reconcile a missed fill":
            {
                OrderAction open = Open(2m);
                ReconciliationTicket ticket = m.BeginReconciliation();
                var snapshot = new ExchangeSnapshot(s_start, [new ExchangeOrder("B1", open.ClientOrderId, OrderSide.Buy, 100m, 2m, OrderStatus.PartiallyFilled, 1m)]);
                return () => Assert.Equal(1, m.Reconcile(ticket, snapshot).Count(FindingKind.MissedFill));
            }

            case "lapse a claim past its timeout":
                m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
                time.Advance(m.Options.PendingClaimTimeout);
                return () => Assert.Equal(ClaimRejection.SlotBusy, m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Rejection);
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    [Fact]
    public void ClaimTokens_GrowAcrossEveryKindOfClaim_AndAreNeverReused()
    {
        var grid = new TestGrid();
        var tokens = new List<long>();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        tokens.Add(open.ClaimToken);
        grid.Update(open, grid.Place(open), OrderStatus.PartiallyFilled, 1m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        tokens.Add(start.CancelFirst!.Value.ClaimToken);
        grid.Manager.ApplyActionResults([OrderActionResult.Failed(start.CancelFirst.Value, "busy")]);
        ClaimResult again = grid.Manager.ClaimCancel(start.Lease!);
        tokens.Add(again.Action.ClaimToken);
        grid.Manager.ApplyActionResults([OrderActionResult.Canceled(again.Action)]);
        grid.Update(open, null, OrderStatus.Canceled, 1m);
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 101m).Action!.Value;
        tokens.Add(close.ClaimToken);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [new ExchangeOrder("ADOPT", "gp-adopted", OrderSide.Buy, 102m, 1m, OrderStatus.New, 0m)]));
        tokens.Add(grid.Slot(102m).Order!.ClaimToken);
        tokens.Add(grid.Claim(ClaimRequest.Place(103m, grid.Opening, 103m, 1m)).ClaimToken);

        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        Assert.Equal(3, grid.Manager.Counters.ClaimsAccepted); // counted: ClaimSlot's two and the holder's ClaimCancel
    }

    /// <summary>Keeps every record it is given (a copy), for the tests to read after each call.</summary>
    private sealed class RecordingStore : IPositionStore
    {
        public List<JournalRecord> Records { get; } = [];

        public Durability Durability => Durability.GroupCommit;

        public StoreRecovery Recover() => new(null, 1);

        public void Append(IReadOnlyList<JournalEntry> entries)
        {
            lock (Records)
            {
                Records.AddRange(entries.Select(e => JournalRecord.Parser.ParseFrom(e.Payload.Span)));
            }
        }

        public void StartSegment(ulong firstSequence)
        {
        }

        public void Checkpoint(StoreSnapshot snapshot)
        {
        }

        public void Dispose()
        {
        }
    }
}
