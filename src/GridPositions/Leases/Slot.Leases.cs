using System.Diagnostics;
using GridPositions.Leases;

namespace GridPositions.Slots;

internal sealed partial class Slot
{
    /// <summary>The conflict to report if the position is held by a lease that has not expired at <paramref name="now"/>.</summary>
    public PositionConflictException? LeaseConflict_NeedsLock(DateTimeOffset now)
    {
        AssertLocked();
        return Lease.IsHeld(now) ? new PositionConflictException(Price, Lease.Kind, Lease.ExpiresAt) : null;
    }

    /// <summary>Whether the lease with <paramref name="token"/> still holds this slot at <paramref name="now"/>.</summary>
    public bool HoldsLease_NeedsLock(long token, DateTimeOffset now)
    {
        AssertLocked();
        return Lease.Token == token && Lease.IsHeld(now);
    }

    /// <summary>The refusal for a holder of <paramref name="token"/> that no longer holds the slot.</summary>
    public LeaseLostException LeaseLost_NeedsLock(long token, DateTimeOffset now)
    {
        AssertLocked();
        return new(Lease.Token == token
            ? $"Lease {token} on slot {Price} expired at {Lease.ExpiresAt:O} (now {now:O}); the position may have been taken by another caller."
            : $"Lease {token} on slot {Price} is no longer held ({(Lease.Token == 0 ? "it was released or completed" : $"lease {Lease.Token} holds the slot now")}).");
    }

    /// <summary>Ends the lease if <paramref name="token"/> still names it; returns whether it did.</summary>
    public bool EndLease_NeedsLock(long token)
    {
        AssertLocked();
        if (Lease.Token != token || token == 0)
        {
            return false;
        }

        Lease = default;
        return true;
    }

    /// <summary>Moves the lease's expiry to <paramref name="expiresAt"/> if <paramref name="token"/> still names it.</summary>
    public bool RenewLease_NeedsLock(long token, DateTimeOffset expiresAt)
    {
        AssertLocked();
        // Stryker disable once Logical,Block,Statement,Boolean : a second guard (the caller checked HoldsLease); it matters only under the injected NoFencing bug
        if (Lease.Token != token || token == 0)
        {
            return false;
        }

        Lease.ExpiresAt = expiresAt;
        return true;
    }

    /// <summary>
    /// Sets the inventory to what the exchange holds (see <see cref="Fills.PositionBook.AdjustTo"/>), only while no
    /// order is in flight (its fills may not have arrived yet). Returns the mismatch, or null if there was none (or,
    /// with <paramref name="problem"/> set and nothing changed, if the added inventory's cost would be beyond the bound).
    /// </summary>
    public PositionMismatch? AdjustToExchange_NeedsLock(decimal exchangeQuantity, out string? problem)
    {
        AssertLocked();
        Debug.Assert(Status == SlotStatus.Free, "adjust only with no order in flight");
        problem = null;
        decimal recorded = Position.Inventory;
        if (recorded == exchangeQuantity)
        {
            return null;
        }

        decimal estimatedEntry = recorded > 0 ? Position.EntryNotional / recorded : Price;
        if (exchangeQuantity > recorded && !(Fills.Amounts.ProductFits(estimatedEntry, exchangeQuantity) && Fills.Amounts.Fits(exchangeQuantity * estimatedEntry)))
        {
            problem = $"The exchange quantity {exchangeQuantity} at the entry price {estimatedEntry} of slot {Price} is beyond the bound of {Fills.Amounts.Max:N0}.";
            return null;
        }

        Position.AdjustTo(exchangeQuantity, estimatedEntry);
        if (Position.IsFlat)
        {
            ClearPositionTargets_NeedsLock();
        }

        return new PositionMismatch(Price, recorded, exchangeQuantity);
    }

    /// <summary>Records an accepted stop-loss / take-profit change.</summary>
    public TargetChange CommitTargets_NeedsLock(decimal? stopLoss, decimal? takeProfit, string reason, DateTimeOffset at)
    {
        AssertLocked();
        StopLoss = stopLoss ?? StopLoss;
        TakeProfit = takeProfit ?? TakeProfit;
        var change = new TargetChange(at, StopLoss, TakeProfit, reason);
        TargetHistory ??= [];
        TargetHistory.Add(change);
        if (TargetHistory.Count > TargetHistoryLimit)
        {
            TargetHistory.RemoveAt(0);
        }

        return change;
    }

    /// <summary>A flat slot has no position, so no parameters and no targets.</summary>
    public void ClearPositionTargets_NeedsLock()
    {
        AssertLocked();
        Leverage = null;
        StopLossFraction = null;
        StopLoss = null;
        TakeProfit = null;
    }
}
