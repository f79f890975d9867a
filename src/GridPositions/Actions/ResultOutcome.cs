namespace GridPositions;

/// <summary>What <see cref="SuperPositionManager.ApplyActionResults(IReadOnlyList{OrderActionResult})"/> did with one result.</summary>
/// <param name="Disposition">Applied, duplicate, stale or rejected.</param>
/// <param name="CancelToIssue">
/// When a place went live for a slot that no longer wants it (a stale success), the cancel the executor must send so the
/// order is not left orphaned on the exchange. Not claimed: its result need not be reported.
/// </param>
/// <param name="Detail">For stale or rejected results: why.</param>
public readonly record struct ResultOutcome(InputDisposition Disposition, OrderAction? CancelToIssue = null, string? Detail = null);
