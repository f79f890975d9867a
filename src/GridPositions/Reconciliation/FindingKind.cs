namespace GridPositions;

/// <summary>What a reconciliation found about one slot or exchange order.</summary>
public enum FindingKind
{
    /// <summary>The exchange had filled more than the slot knew; the growth was booked (once).</summary>
    MissedFill = 1,

    /// <summary>Our order had finished on the exchange without the slot hearing of it; its final state was applied.</summary>
    FinishedOnExchange = 2,

    /// <summary>Our order is neither open nor recently closed on the exchange; query it (see <see cref="ReconciliationReport.OrdersToQuery"/>).</summary>
    MissingOnExchange = 3,

    /// <summary>An order whose place outcome was ambiguous is live on the exchange: the slot adopted it.</summary>
    UnknownResolved = 4,

    /// <summary>An order whose place outcome was ambiguous never reached the exchange: its slot was freed.</summary>
    NeverPlaced = 5,

    /// <summary>An open order with our client id prefix that no slot knew was adopted by the slot at its price.</summary>
    Adopted = 6,

    /// <summary>An order with our client id prefix that no slot can own; open ones are in <see cref="ReconciliationReport.CancelsToIssue"/>.</summary>
    UnattributedOwnOrder = 7,

    /// <summary>An order the slot saw finish is open on the exchange; it is in <see cref="ReconciliationReport.CancelsToIssue"/>.</summary>
    FinishedButOpenOnExchange = 8,

    /// <summary>An open order that is not ours. Reported, never touched.</summary>
    ForeignOrder = 9,

    /// <summary>The exchange's position differs from the slots' inventory.</summary>
    PositionDrift = 10,

    /// <summary>The exchange's report contradicts the slot (for example more filled than ordered); nothing was changed.</summary>
    Inconsistent = 11,

    /// <summary>Left alone: the slot changed after the reconciliation began, its place result is pending, or a lease holds it.</summary>
    Deferred = 12,
}
