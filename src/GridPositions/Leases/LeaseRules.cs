using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Leases;

/// <summary>
/// Fenced leases over a slot's position, shared by close and modify: granting one, checking that a caller still
/// holds it, renewing and releasing it. A lease's state lives on its slot (<see cref="Slot.BeginLease_NeedsLock"/>);
/// each <see cref="PositionLease"/> names the rules that granted it, so a lease of another manager is refused.
/// </summary>
internal sealed class LeaseRules(ManagerContext context, SlotBook book, OperationSinks sinks)
{
    /// <summary>Grants a lease on <paramref name="slot"/>, fenced past every earlier one.</summary>
    public PositionLease Grant_NeedsSlotLock(Slot slot, LeaseKind kind, DateTimeOffset now, ModifyRequest? targets = null)
    {
        slot.AssertLocked();
        ReportExpiry_NeedsSlotLock(slot, now); // the lease this one replaces, if it expired unfinished
        var lease = new PositionLease(this, slot.Price, kind, book.NextFencingToken(), now + context.Settings.LeaseTimeout);
        slot.BeginLease_NeedsLock(new LeaseState
        {
            Token = lease.FencingToken,
            Kind = kind,
            ExpiresAt = lease.ExpiresAt,
            StopLoss = targets?.StopLoss,
            TakeProfit = targets?.TakeProfit,
            Reason = targets?.Reason,
        });
        return lease;
    }

    /// <summary>The refusal for the holder of <paramref name="lease"/>, which no longer holds its slot; reports the lease's expiry if that is why.</summary>
    public LeaseLostException Lost_NeedsSlotLock(Slot slot, PositionLease lease, DateTimeOffset now)
    {
        slot.AssertLocked();
        if (slot.Lease.Token == lease.FencingToken)
        {
            ReportExpiry_NeedsSlotLock(slot, now);
        }

        return slot.LeaseLost_NeedsLock(lease.FencingToken, now);
    }

    /// <summary>A lease is only ever granted on an existing slot, and slots are never removed.</summary>
    /// <exception cref="ArgumentException">Another manager granted <paramref name="lease"/>.</exception>
    public Slot LeasedSlot(PositionLease lease) =>
        book.TryGet(context.Grid.GetTicks(lease.SlotPrice, nameof(lease)), out Slot? slot) && ReferenceEquals(lease.Owner, this)
            ? slot
            : throw new ArgumentException($"{lease} was not granted by this manager.", nameof(lease));

    public static bool Holds_NeedsSlotLock(Slot slot, PositionLease lease, DateTimeOffset now)
    {
        slot.AssertLocked();
#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.NoFencing))
        {
            return true;
        }
#endif
        return slot.HoldsLease_NeedsLock(lease.FencingToken, now);
    }

    /// <summary>The lease a claim taken by <paramref name="lease"/>'s holder is bound to (see <see cref="Slot.LapseClaims_NeedsLock"/>).</summary>
    public static long TokenOf(PositionLease lease)
    {
#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.LeaseClaimsOutliveLease))
        {
            return 0; // the injected bug: a claim taken under a lease is not bound to it, so it outlives the lease
        }
#endif
        return lease.FencingToken;
    }

    /// <summary>Whether <paramref name="lease"/> still holds its slot.</summary>
    public bool IsHeld(PositionLease lease)
    {
        DateTimeOffset now = context.Now;
        Slot slot = LeasedSlot(lease);
        using (slot.Enter())
        {
            return Holds_NeedsSlotLock(slot, lease, now);
        }
    }

    /// <summary>Ends <paramref name="lease"/> if it still names its slot, with the claims taken under it; safe to call any number of times.</summary>
    /// <remarks>After the manager is disposed it does nothing (a lease's Dispose must not throw; no lease outlives a reopen anyway).</remarks>
    public void Release(PositionLease lease)
    {
        if (sinks.IsClosed)
        {
            return;
        }

        Slot slot = LeasedSlot(lease);
        DateTimeOffset now = context.Now;
        Operation op = sinks.Begin();
        try
        {
            using (slot.Enter())
            {
                if (slot.Lease.Token == lease.FencingToken)
                {
                    ReportExpiry_NeedsSlotLock(slot, now); // a holder that releases too late (a using block that outlived the lease)
                }

                if (slot.EndLease_NeedsLock(lease.FencingToken))
                {
                    if (slot.LapseClaims_NeedsLock(now, context.Settings.PendingClaimTimeout))
                    {
                        context.Counters.Increment(Counter.ClaimsLapsed); // the claims taken under it end with it
                    }

                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                }
            }
        }
        finally
        {
            op.Dispose();
        }
    }

    /// <summary>Queues LeaseExpired for the slot's lease if it expired unfinished and was not reported yet (once per lease).</summary>
    private void ReportExpiry_NeedsSlotLock(Slot slot, DateTimeOffset now)
    {
        slot.AssertLocked();
        if (slot.TakeUnreportedExpiry_NeedsLock(now) is { } expired)
        {
            sinks.Events.QueueLeaseExpired(slot.Price, expired);
        }
    }

    /// <summary>Extends <paramref name="lease"/> by <see cref="PositionManagerOptions.LeaseTimeout"/> from now, if it still holds its slot.</summary>
    public DateTimeOffset Renew(PositionLease lease)
    {
        Slot slot = LeasedSlot(lease);
        DateTimeOffset now = context.Now;
        LeaseLostException? lost = null;
        DateTimeOffset expiresAt = now + context.Settings.LeaseTimeout;
        Operation op = sinks.Begin();
        try
        {
            using (slot.Enter())
            {
                if (Holds_NeedsSlotLock(slot, lease, now) && slot.RenewLease_NeedsLock(lease.FencingToken, expiresAt))
                {
                    lease.ExpiresAt = expiresAt;
                    sinks.SlotChanged_NeedsSlotLock(slot, ref op);
                }
                else
                {
                    lost = Lost_NeedsSlotLock(slot, lease, now);
                }
            }
        }
        finally
        {
            op.Dispose();
        }

        return lost is null ? expiresAt : throw lost;
    }
}
