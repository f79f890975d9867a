namespace GridPositions;

/// <summary>What <see cref="SuperPositionManager.ApplyActionResults(IReadOnlyList{OrderActionResult})"/> did with one result.</summary>
/// <remarks>Small on purpose (the rare cancel is held by reference), so a batch of outcomes costs little to return.</remarks>
public readonly record struct ResultOutcome
{
    private readonly CancelBox? _cancel;

    /// <summary>Creates an outcome.</summary>
    /// <param name="disposition">Applied, duplicate, stale or rejected.</param>
    /// <param name="cancelToIssue">The cancel to send for an order that went live for a slot that no longer wants it.</param>
    /// <param name="detail">For stale or rejected results: why.</param>
    public ResultOutcome(InputDisposition disposition, OrderAction? cancelToIssue = null, string? detail = null)
    {
        Disposition = disposition;
        _cancel = cancelToIssue is { } cancel ? new CancelBox(cancel) : null;
        Detail = detail;
    }

    /// <summary>Applied, duplicate, stale or rejected.</summary>
    public InputDisposition Disposition { get; }

    /// <summary>
    /// When a place went live for a slot that no longer wants it (a stale success), the cancel the executor must send so the
    /// order is not left orphaned on the exchange. Not claimed (claim token 0): its result may be reported back and is counted stale.
    /// </summary>
    public OrderAction? CancelToIssue => _cancel?.Action;

    /// <summary>For stale or rejected results: why.</summary>
    public string? Detail { get; }

    /// <summary>A cancel, held by reference.</summary>
    private sealed record CancelBox(OrderAction Action);
}
