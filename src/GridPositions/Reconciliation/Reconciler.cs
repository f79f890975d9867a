using GridPositions.Book;
using GridPositions.Claims;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;
using GridPositions.Telemetry;

namespace GridPositions.Reconciliation;

/// <summary>
/// Applies a <see cref="ReconciliationPlan"/> through the same paths as live inputs: each slot in its own slot-lock
/// section (phase 2) with its index brought in line under the book's lock afterwards (phase 3), and each unaccounted
/// order in its own book-lock section, like a claim. Level 1 is never held for the whole pass.
/// </summary>
internal sealed class Reconciler(ManagerContext context, SlotBook book, OperationSinks sinks, ClaimRules claims, UpdateRouter router)
{
    public ReconciliationTicket Begin()
    {
        sinks.ThrowIfClosed();
        return new(this, book.BeginEpoch(), context.Now);
    }

    public ReconciliationReport Reconcile(ReconciliationTicket ticket, ExchangeSnapshot exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (!ReferenceEquals(ticket.Issuer, this)) // only Begin sets the issuer, so its epoch is one this manager gave
        {
            throw new ArgumentException($"Ticket {ticket.Epoch} was not issued by this manager's BeginReconciliation.", nameof(ticket));
        }

        if (exchange.TakenAt < ticket.StartedAt)
        {
            throw new ArgumentException($"The exchange snapshot ({exchange.TakenAt:O}) was taken before the reconciliation began ({ticket.StartedAt:O}).", nameof(exchange));
        }

        var plan = new ReconciliationPlan(context, ticket, exchange, context.Now);
        Operation op = sinks.Begin();
        try
        {
            foreach (Slot slot in book.ByKey())
            {
                ReconcileSlot(slot, plan, ref op);
            }

            foreach (ExchangeOrder order in plan.Unaccounted())
            {
                ReconcileOrder(order, plan, ref op);
            }

            plan.ComparePosition(SignedInventory);
        }
        finally
        {
            op.Dispose();
        }

        ReconciliationReport report = plan.Report();
        context.Measurements.CountFindings(report);
        if (context.Log is { } log)
        {
            ManagerLog.Reconciled(log, context.Settings.Symbol, report);
        }

        return report;
    }

    /// <summary>One slot: lapse its dead claims, read its state, and do what the plan decides, all in one section of its lock.</summary>
    private void ReconcileSlot(Slot slot, ReconciliationPlan plan, ref Operation op)
    {
        SlotEffects effects = default;
        using (slot.Enter())
        {
            // A claim nobody will answer any more lapses first (a place to Unknown, a cancel back to Live), then is settled
            // below; the lapse itself is not a change "after the ticket" (the epoch is read before it).
            bool changedAfterTicket = slot.ChangedEpoch >= plan.Epoch;
            claims.LapseClaims_NeedsSlotLock(slot, plan.Now, ref op);
            SlotState state = slot.ReadState_NeedsLock();
            switch (plan.Decide(state, changedAfterTicket))
            {
                case SlotStep.ApplyReport:
                    ExchangeOrder onExchange = plan.ReportFor(state);
                    OrderUpdate report = onExchange.ToUpdate();
                    InputDisposition disposition = ApplyReport_NeedsSlotLock(slot, report, ref effects, ref op);
                    plan.Applied(state, onExchange, disposition, effects);
                    break;
                case SlotStep.NeverPlaced:
                    slot.ResolveNeverPlaced_NeedsLock(ref effects);
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                    break;
            }

            if (effects.NeedsIndexSync)
            {
                op.OpenIndexWindow(); // under the slot's lock, as for an update: before anyone can see the change
            }
        }

        if (effects.NeedsIndexSync)
        {
            using (book.Enter())
            {
                router.SyncIndex_NeedsBookLock(slot, effects, ref op);
            }

            op.CloseIndexWindow();
        }
    }

    /// <summary>An order no slot accounted for: routed under the book's lock, and adopted there if the plan says so (slot lock inside, as for a claim).</summary>
    private void ReconcileOrder(ExchangeOrder order, ReconciliationPlan plan, ref Operation op)
    {
        using (book.Enter())
        {
            decimal? routedTo = null;
            bool isCurrent = false;
            if (book.TryRoute_NeedsLock(order.OrderId, order.ClientOrderId, out Slot? known))
            {
                routedTo = known.Price;
                using (known.Enter())
                {
                    // The slot pass no longer holds level 1, so the slot may have taken this order since: ask it now.
                    isCurrent = known.Status != SlotStatus.Free && known.Order.Matches(order.OrderId, order.ClientOrderId);
                }
            }

            if (plan.Decide(order, routedTo, isCurrent) == OrderStep.TryAdopt && !TryAdopt_NeedsBookLock(order, plan, ref op))
            {
                plan.NotAdopted(order);
            }
        }
    }

    /// <summary>An open order of ours that no slot knows, opening at a free flat level: that slot takes it.</summary>
    private bool TryAdopt_NeedsBookLock(ExchangeOrder order, ReconciliationPlan plan, ref Operation op)
    {
        book.AssertLocked();
        long key = context.Grid.GetTicks(order.Price, nameof(order));

        // A level never used gets a slot only if it adopts the order: a refusal leaves no trace.
        bool isNew = !book.TryGet(key, out Slot? slot);
        slot ??= new Slot(key, context.Grid.ToPrice(key));
        SlotEffects effects = default;
        InputDisposition disposition;
        using (slot.Enter())
        {
            if (!plan.CanAdopt(slot.ReadState_NeedsLock(), slot.ChangedEpoch >= plan.Epoch))
            {
                return false;
            }

            OrderAction action = context.WithIntent(new OrderAction(OrderActionType.Place, slot.Price, order.Side, order.Price, order.Quantity, order.ClientOrderId!, null, book.TakeClaimToken_NeedsLock()), OrderRole.Open);
            slot.BeginOrder_NeedsLock(action, OrderRole.Open, plan.Now, context.FeesPerTrade);
            disposition = ApplyReport_NeedsSlotLock(slot, order.ToUpdate(), ref effects, ref op, adopted: true);
        }

        if (isNew)
        {
            book.Add_NeedsLock(slot);
        }

        book.IndexClientId_NeedsLock(order.ClientOrderId!, slot);
        router.SyncIndex_NeedsBookLock(slot, effects, ref op);
        plan.Adopted(order, slot.Price, disposition, effects);
        return true;
    }

    /// <summary>Applies the exchange's own report of the slot's order like an update, counted like one so every fill stays accounted for.</summary>
    /// <remarks>With <c>adopted</c>, the slot has just taken the order: it changed even if the report books nothing.</remarks>
    private InputDisposition ApplyReport_NeedsSlotLock(Slot slot, in OrderUpdate report, ref SlotEffects effects, ref Operation op, bool adopted = false)
    {
        slot.AssertLocked();
        InputDisposition disposition = slot.ApplyUpdate_NeedsLock(report, context.Sign, context.FeeAssets.Resolve(report.FeeAsset), ref effects);
        effects.Changed |= adopted;
        sinks.Effects_NeedsSlotLock(slot, effects, ref op);
        if (disposition == InputDisposition.Rejected)
        {
            sinks.Rejected(effects.Detail!, report, null);
        }

        slot.Tally_NeedsLock(disposition, effects);
        return disposition;
    }

    /// <summary>The slots' inventory signed like the exchange's position (each slot read under its lock).</summary>
    private decimal SignedInventory()
    {
        decimal ours = 0;
        foreach (Slot slot in book.ByKey())
        {
            using (slot.Enter())
            {
                // Stryker disable once Arithmetic : the sign is +1 or -1, so dividing by it is multiplying by it
                ours += slot.Position.Inventory * context.Sign;
            }
        }

        return ours;
    }
}
