namespace GridPositions;

/// <summary>
/// Marks the start of a reconciliation: slots that change after it are left alone. Only the manager whose
/// <see cref="SuperPositionManager.BeginReconciliation"/> issued it accepts it.
/// </summary>
public readonly record struct ReconciliationTicket
{
    internal ReconciliationTicket(object issuer, long epoch, DateTimeOffset startedAt)
    {
        Issuer = issuer;
        Epoch = epoch;
        StartedAt = startedAt;
    }

    /// <summary>The manager's reconciliation epoch.</summary>
    public long Epoch { get; }

    /// <summary>When it began.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The reconciler of the manager that issued it (null for a default or hand-made ticket, which no manager accepts).</summary>
    internal object? Issuer { get; }
}
