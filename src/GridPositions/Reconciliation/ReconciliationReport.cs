namespace GridPositions;

/// <summary>The outcome of <see cref="SuperPositionManager.Reconcile"/>: what was found and fixed, and what the caller must do.</summary>
/// <param name="SnapshotTakenAt">When the exchange's snapshot was taken.</param>
/// <param name="Findings">Every finding, slots by price first, then exchange orders no slot had.</param>
/// <param name="CancelsToIssue">Cancels for open orders of ours that no slot owns (claim token 0; their results may be reported back).</param>
/// <param name="OrdersToQuery">Exchange (or client) ids of our orders the exchange did not list: fetch their final state and pass it to OnOrderUpdate.</param>
/// <param name="PositionDrift">Exchange position minus the slots' signed inventory, when the exchange's position was given.</param>
public sealed record ReconciliationReport(
    DateTimeOffset SnapshotTakenAt,
    IReadOnlyList<ReconciliationFinding> Findings,
    IReadOnlyList<OrderAction> CancelsToIssue,
    IReadOnlyList<string> OrdersToQuery,
    decimal? PositionDrift)
{
    /// <summary>How many findings are of <paramref name="kind"/>.</summary>
    public int Count(FindingKind kind) => Findings.Count(f => f.Kind == kind);
}
