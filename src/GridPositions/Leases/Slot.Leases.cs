using System.Diagnostics;
using GridPositions.Leases;

namespace GridPositions.Slots;

internal sealed partial class Slot
{
    /// <summary>The conflict to report if the position is held by a lease that has not expired at <paramref name="now"/>.</summary>
    public PositionConflictException? LeaseConflict_NeedsLock(DateTimeOffset now)
    {
        AssertLocked();
        return _lease.IsHeld(now) ? new PositionConflictException(Price, _lease.Kind, _lease.ExpiresAt) : null;
    }

    /// <summary>Whether the lease with <paramref name="token"/> still holds this slot at <paramref name="now"/>.</summary>
    public bool HoldsLease_NeedsLock(long token, DateTimeOffset now)
    {
        AssertLocked();
        return _lease.Token == token && _lease.IsHeld(now);
    }

    /// <summary>The refusal for a holder of <paramref name="token"/> that no longer holds the slot.</summary>
    public LeaseLostException LeaseLost_NeedsLock(long token, DateTimeOffset now)
    {
        AssertLocked();
        return new(_lease.Token == token
            ? $"Lease {token} on slot {Price} expired at {_lease.ExpiresAt:O} (now {now:O}); the position may have been taken by another caller."
            : $"Lease {token} on slot {Price} is no longer held ({(_lease.Token == 0 ? "it was released or completed" : $"lease {_lease.Token} holds the slot now")}).");
    }

    /// <summary>The lease, if it expired unfinished and its expiry was not reported yet; it is marked reported.</summary>
    public LeaseState? TakeUnreportedExpiry_NeedsLock(DateTimeOffset now)
    {
        AssertLocked();
        if (_lease.Token == 0 || _lease.IsHeld(now) || _lease.ExpiryReported)
        {
            return null;
        }

        _lease.ExpiryReported = true;
        return _lease;
    }

    /// <summary>Holds the position under <paramref name="lease"/>. Call only after <see cref="LeaseConflict_NeedsLock"/> found none, in the same lock section.</summary>
    public void BeginLease_NeedsLock(in LeaseState lease)
    {
        AssertLocked();
        Debug.Assert(_lease.Token == 0 || _lease.Token < lease.Token, "a new lease has a larger fencing token than any before it");
        _lease = lease;
    }

    /// <summary>Ends the lease if <paramref name="token"/> still names it; returns whether it did.</summary>
    public bool EndLease_NeedsLock(long token)
    {
        AssertLocked();
        if (_lease.Token != token || token == 0)
        {
            return false;
        }

        _lease = default;
        return true;
    }

    /// <summary>Moves the lease's expiry to <paramref name="expiresAt"/> if <paramref name="token"/> still names it.</summary>
    public bool RenewLease_NeedsLock(long token, DateTimeOffset expiresAt)
    {
        AssertLocked();
        // Stryker disable once Logical,Block,Statement,Boolean : a second guard (the caller checked HoldsLease); it matters only under the injected NoFencing bug
        if (_lease.Token != token || token == 0)
        {
            return false;
        }

        _lease.ExpiresAt = expiresAt;
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
        decimal recorded = _position.Inventory;
        if (recorded == exchangeQuantity)
        {
            return null;
        }

        decimal estimatedEntry = recorded > 0 ? _position.EntryNotional / recorded : Price;
        if (exchangeQuantity > recorded && !(Fills.Amounts.ProductFits(estimatedEntry, exchangeQuantity) && Fills.Amounts.Fits(exchangeQuantity * estimatedEntry)))
        {
            problem = $"The exchange quantity {exchangeQuantity} at the entry price {estimatedEntry} of slot {Price} is beyond the bound of {Fills.Amounts.Max:N0}.";
            return null;
        }

        _position.AdjustTo(exchangeQuantity, estimatedEntry);
        if (_position.IsFlat)
        {
            ClearPositionTargets_NeedsLock();
        }

        return new PositionMismatch(Price, recorded, exchangeQuantity);
    }

    /// <summary>Records an accepted stop-loss / take-profit change.</summary>
    public TargetChange CommitTargets_NeedsLock(decimal? stopLoss, decimal? takeProfit, string reason, DateTimeOffset at)
    {
        AssertLocked();
        _stopLoss = stopLoss ?? _stopLoss;
        _takeProfit = takeProfit ?? _takeProfit;
        var change = new TargetChange(at, _stopLoss, _takeProfit, reason);
        TargetChange[] history = _targetHistory ?? [];
        _targetHistory = [.. history.Skip(history.Length >= TargetHistoryLimit ? 1 : 0), change]; // a new array: states already read keep theirs
        return change;
    }

    /// <summary>A flat slot has no position, so no parameters and no targets.</summary>
    public void ClearPositionTargets_NeedsLock()
    {
        AssertLocked();
        _leverage = null;
        _stopLossFraction = null;
        _stopLoss = null;
        _takeProfit = null;
    }
}
