namespace GridPositions.Tests;

/// <summary>
/// Issue 12, "reconciliation timing": the clock moves between the ticket, the exchange's snapshot and the call. An
/// ambiguous place may be freed only if the exchange's snapshot itself is at least the grace period younger than the
/// moment the place became ambiguous: a place that reached the exchange after the snapshot must not be orphaned.
/// </summary>
public class ReconciliationTimingTests
{
    private static ReconciliationReport ReconcileEmpty(TestGrid grid, ReconciliationTicket ticket, DateTimeOffset takenAt) =>
        grid.Manager.Reconcile(ticket, new ExchangeSnapshot(takenAt, []));

    [Fact]
    public void TheGracePeriodIsMeasuredToTheSnapshot_NotToTheCall_SoALateReconcileOfAnEarlySnapshotFreesNothing()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(2));
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        DateTimeOffset takenAt = grid.Time.GetUtcNow(); // the exchange answered before the grace period was over...
        grid.Time.Advance(TimeSpan.FromMinutes(5));      // ...and the reconciler called much later

        ReconciliationReport report = ReconcileEmpty(grid, ticket, takenAt);

        Assert.Equal(FindingKind.Deferred, Assert.Single(report.Findings).Kind);
        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status);
        Assert.Equal(InputDisposition.Applied, grid.Update(place, "LATE", OrderStatus.New, 0m)); // it had reached the exchange
    }

    [Fact]
    public void TheGracePeriodIsMeasuredFromTheAmbiguity_NotFromTheTicket()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(10));
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation(); // younger than the grace period...
        grid.Time.Advance(TimeSpan.FromSeconds(10));                    // ...the snapshot is not

        ReconciliationReport report = ReconcileEmpty(grid, ticket, grid.Time.GetUtcNow());

        Assert.Equal(FindingKind.NeverPlaced, Assert.Single(report.Findings).Kind);
        Assert.Equal(SlotStatus.Free, grid.Slot(100m).Status);
    }

    [Fact]
    public void AClaimThatTimesOutDuringTheCall_IsAmbiguousFromThen_SoAnOlderSnapshotCannotFreeIt()
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        DateTimeOffset takenAt = grid.Time.GetUtcNow();
        grid.Time.Advance(grid.Options.PendingClaimTimeout + grid.Options.AmbiguousPlaceGracePeriod);

        ReconciliationReport report = ReconcileEmpty(grid, ticket, takenAt);

        Assert.Equal(SlotStatus.Unknown, grid.Slot(100m).Status); // lapsed now: the executor may have sent it until now
        Assert.Equal(FindingKind.Deferred, Assert.Single(report.Findings).Kind);
        ReconciliationReport later = ReconcileEmpty(grid, grid.Manager.BeginReconciliation(), grid.Time.GetUtcNow() + grid.Options.AmbiguousPlaceGracePeriod);
        Assert.Equal(FindingKind.NeverPlaced, Assert.Single(later.Findings).Kind);
    }

    [Fact]
    public void ASlotThatChangesBetweenTheTicketAndTheCall_IsDeferred_WhateverTheClockSays()
    {
        var grid = new TestGrid();
        OrderAction place = grid.ClaimOpen(100m);
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(place, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod);
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Update(place, null, OrderStatus.New, 0m); // the order shows up on the stream after the ticket
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod);

        ReconciliationReport report = ReconcileEmpty(grid, ticket, grid.Time.GetUtcNow());

        Assert.Contains("changed after the reconciliation began", Assert.Single(report.Findings).Detail, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.Live, grid.Slot(100m).Status);
    }

    [Fact]
    public void AmbiguousPlacesInOneBatch_AreAmbiguousFromTheirResult_NotFromTheirClaim()
    {
        var grid = new TestGrid();
        OrderAction a = grid.ClaimOpen(100m), b = grid.ClaimOpen(99m);
        grid.Time.Advance(TimeSpan.FromSeconds(20)); // the executor's calls took a while
        grid.Manager.ApplyActionResults([OrderActionResult.Ambiguous(a, "timeout"), OrderActionResult.Ambiguous(b, "timeout")]);
        grid.Time.Advance(grid.Options.AmbiguousPlaceGracePeriod - TimeSpan.FromSeconds(10)); // past the grace since the claims, not since the results

        ReconciliationReport report = ReconcileEmpty(grid, grid.Manager.BeginReconciliation(), grid.Time.GetUtcNow());

        Assert.Equal([FindingKind.Deferred, FindingKind.Deferred], report.Findings.Select(f => f.Kind));
        Assert.Equal([SlotStatus.Unknown, SlotStatus.Unknown], new[] { grid.Slot(100m).Status, grid.Slot(99m).Status });
    }

    /// <summary>
    /// The pass no longer holds the book's lock, so a slot can take an order between the slot pass and the check of the
    /// exchange's unaccounted orders. That order is the slot's own now: no cancel, no "finished but open" finding.
    /// </summary>
    [Fact]
    public void AnOrderASlotTookDuringThePass_IsNotCancelledAsFinished()
    {
        var grid = new TestGrid();
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        string clientId = grid.Options.ClientOrderIdPrefix + "user-7";
        var onExchange = new ExchangeOrder("X7", clientId, grid.Opening, 100m, 1m, OrderStatus.New, 0m);
        ClaimResult? claim = null;
        // The list of open orders is read once to index it and enumerated again for the unaccounted orders, after
        // every slot was reconciled: the strategy claims the level with that client id in between (no lock is held there).
        var open = new CallbackList([onExchange], () => claim ??= grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m, clientOrderId: clientId)));

        ReconciliationReport report = grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), open));

        Assert.True(claim?.IsAccepted, "the claim ran during the pass and was accepted");
        Assert.Empty(report.CancelsToIssue);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.FinishedButOpenOnExchange);
        Assert.Equal(clientId, grid.Slot(100m).Order?.ClientOrderId);
        Assert.True(grid.Manager.CheckInvariants().Holds);
    }

    /// <summary>A list that calls <paramref name="onEnumerate"/> each time it is enumerated (indexing does not).</summary>
    private sealed class CallbackList(IReadOnlyList<ExchangeOrder> orders, Action onEnumerate) : IReadOnlyList<ExchangeOrder>
    {
        public int Count => orders.Count;

        public ExchangeOrder this[int index] => orders[index];

        public IEnumerator<ExchangeOrder> GetEnumerator()
        {
            onEnumerate();
            return orders.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
