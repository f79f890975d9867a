using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Marks the start of a reconciliation. Fetch the exchange's state after this call and pass both to
    /// <see cref="Reconcile"/>: any slot that changes in between is left alone (reported deferred), so the
    /// reconciler never acts on a view older than the slot.
    /// </summary>
    public ReconciliationTicket BeginReconciliation() => new(this, _book.BeginEpoch(), _time.GetUtcNow());

    /// <summary>
    /// Compares the slots with the exchange's own state and fixes what can be fixed exactly once: fills the slots
    /// missed are booked (by cumulative quantity, like any update), orders that finished unheard are finished, an
    /// ambiguous place is resolved by its client order id (adopted if the exchange has it, open or finished; freed once
    /// older than <see cref="PositionManagerOptions.AmbiguousPlaceGracePeriod"/> if not), and open orders carrying our
    /// client id prefix that no slot knew are adopted by the slot at their price when it is free. Foreign orders are
    /// reported and never touched. Claims with no result past <see cref="PositionManagerOptions.PendingClaimTimeout"/>
    /// (or past the lease they were taken under) lapse first, so this pass settles them too: no claim stays pending
    /// longer than its timeout plus one reconciliation.
    /// </summary>
    /// <remarks>
    /// Slots that changed after <paramref name="ticket"/> was taken, slots whose place result has not arrived, and
    /// slots held by a close or modify lease are left alone and reported <see cref="FindingKind.Deferred"/>. Each
    /// slot is reconciled under its lock while the manager's lock is held, so live traffic waits for that slot only
    /// as long as a claim would. Reconciling the same snapshot twice changes nothing the second time.
    /// </remarks>
    /// <exception cref="ArgumentException">The ticket is not this manager's, the snapshot predates it, or an exchange order is malformed (named by its index).</exception>
    public ReconciliationReport Reconcile(ReconciliationTicket ticket, ExchangeSnapshot exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (!ReferenceEquals(ticket.Issuer, this)) // only BeginReconciliation sets the issuer, so its epoch is one this manager gave
        {
            throw new ArgumentException($"Ticket {ticket.Epoch} was not issued by this manager's BeginReconciliation.", nameof(ticket));
        }

        if (exchange.TakenAt < ticket.StartedAt)
        {
            throw new ArgumentException($"The exchange snapshot ({exchange.TakenAt:O}) was taken before the reconciliation began ({ticket.StartedAt:O}).", nameof(exchange));
        }

        var run = new ReconciliationRun(this, ticket, exchange, _time.GetUtcNow());
        var op = new Operation(this);
        try
        {
            using (_book.Enter())
            {
                foreach (Slot slot in _book.Slots.OrderBy(s => s.Key).ToList())
                {
                    SlotEffects effects = default;
                    using (slot.Enter())
                    {
                        run.ReconcileSlot_NeedsLocks(slot, ref effects, ref op);
                    }

                    if (effects.NeedsIndexSync)
                    {
                        SyncIndex_NeedsGlobalLock(slot, effects, ref op);
                    }
                }

                run.ReconcileUnknownOrders_NeedsGlobalLock(ref op);
                run.ComparePositions_NeedsGlobalLock();
            }
        }
        finally
        {
            op.Dispose();
        }

        ReconciliationReport report = run.Report();
        if (_log is not null)
        {
            LogReconciliation(report);
        }

        return report;
    }
}
