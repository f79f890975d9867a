using System.Diagnostics;
using GridPositions.Fills;

namespace GridPositions.Slots;

/// <summary>
/// One grid level: its current order, its position and the last order it finished. Every rule about how a claim,
/// an action result or an order update changes one slot lives here.
/// </summary>
internal sealed partial class Slot
{
    /// <summary>
    /// Level 2 of 2. Guards every mutable field of this slot. May be taken while holding the manager's lock; the
    /// manager's lock must never be taken while holding this one, and no two slot locks are held at once.
    /// </summary>
    public readonly object Sync = new();

    public Slot(long key, decimal price)
    {
        Key = key;
        Price = price;
    }

    public long Key { get; }

    public decimal Price { get; }

    public SlotStatus Status = SlotStatus.Free;
    public OrderState Order;
    public PositionBook Position;
    public FinishedOrderState LastOrder;

    /// <summary>The close or modify lease the position is held under, if any.</summary>
    public Leases.LeaseState Lease;

    // The open position's parameters and targets; cleared when the slot goes flat.
    public int? Leverage;
    public decimal? StopLossFraction;
    public decimal? StopLoss;
    public decimal? TakeProfit;

    /// <summary>Accepted target changes, oldest first (the last <see cref="TargetHistoryLimit"/>).</summary>
    public List<TargetChange>? TargetHistory;

    /// <summary>The manager's reconciliation epoch when this slot last changed.</summary>
    public long ChangedEpoch;

    /// <summary>How many times the slot has changed (persisted; a journal record replays only over an older version).</summary>
    public long Version;

    public const int TargetHistoryLimit = 32;

    // ---- Claims -------------------------------------------------------------------------------------------------

    /// <summary>Whether a place of <paramref name="quantity"/> in <paramref name="role"/> may claim this slot now.</summary>
    public ClaimRejection CheckPlace_NeedsLock(OrderRole role, decimal quantity, out string? detail)
    {
        AssertLocked();
        detail = null;
        if (Status != SlotStatus.Free)
        {
            detail = $"slot {Price} is busy ({Status}) with order {Order.ClientOrderId}";
            return ClaimRejection.SlotBusy;
        }

        if (role == OrderRole.Open && !Position.IsFlat)
        {
            detail = $"slot {Price} already holds {Position.Inventory}; only a closing order is allowed";
            return ClaimRejection.PositionAlreadyOpen;
        }

        if (role == OrderRole.Close && quantity > Position.Inventory)
        {
            detail = $"closing {quantity} would oversell slot {Price}, which holds {Position.Inventory}";
            return ClaimRejection.WouldOversell;
        }

        return ClaimRejection.None;
    }

    /// <summary>Makes <paramref name="action"/> the slot's order. Call only after <see cref="CheckPlace_NeedsLock"/> accepted it, in the same lock section.</summary>
    /// <param name="action">The claimed place.</param>
    /// <param name="role">Opening or closing.</param>
    /// <param name="now">When it was claimed: the pending-claim timeout runs from here.</param>
    /// <param name="leaseToken">The close lease it was claimed under, or 0: the claim lapses when that lease ends.</param>
    public void BeginOrder_NeedsLock(in OrderAction action, OrderRole role, DateTimeOffset now, long leaseToken = 0)
    {
        AssertLocked();
        if (Status != SlotStatus.Free)
        {
            // Impossible when the claim was checked in this lock section; never overwrite a live order quietly.
            throw new InvalidOperationException($"Thread-safety bug detected: slot {Price} claimed while {Status} with order {Order.ClientOrderId}.");
        }

        Order = new OrderState
        {
            ClaimToken = action.ClaimToken,
            ClientOrderId = action.ClientOrderId,
            Side = action.Side,
            Role = role,
            Price = action.Price,
            Quantity = action.Quantity,
            ClaimedAt = now,
            LeaseToken = leaseToken,
        };
        Status = SlotStatus.PendingPlace;
    }

    /// <summary>Claims the live order for a cancel under <paramref name="token"/>, at <paramref name="now"/>, for the close lease <paramref name="leaseToken"/> (0: none).</summary>
    public ClaimRejection TryClaimCancel_NeedsLock(long token, DateTimeOffset now, long leaseToken, out OrderAction action, out string? detail)
    {
        AssertLocked();
        action = default;
        detail = null;
        switch (Status)
        {
            case SlotStatus.Free:
                detail = $"slot {Price} has no order to cancel";
                return ClaimRejection.NothingToCancel;
            case SlotStatus.PendingCancel:
                detail = $"slot {Price} already has a cancel in flight for order {Order.ClientOrderId}";
                return ClaimRejection.SlotBusy;
            case SlotStatus.PendingPlace:
            case SlotStatus.Unknown:
                detail = $"slot {Price} order {Order.ClientOrderId} is not known to be live yet ({Status})";
                return ClaimRejection.SlotBusy;
        }

        Order.CancelToken = token;
        Order.CancelAccepted = false;
        Order.CancelClaimedAt = now;
        Order.CancelLeaseToken = leaseToken;
        Status = SlotStatus.PendingCancel;
        action = new OrderAction(OrderActionType.Cancel, Price, Order.Side, Order.Price, Order.Quantity, Order.ClientOrderId, Order.OrderId, token);
        return ClaimRejection.None;
    }

    // ---- Claims that end by themselves -----------------------------------------------------------------------------

    /// <summary>
    /// Ends the claims nobody will answer: a claim taken under a close lease that no longer holds the slot, or any claim
    /// older than <paramref name="timeout"/>. An unanswered place becomes <see cref="SlotStatus.Unknown"/> (it may or may
    /// not have reached the exchange; an update, a late result or reconciliation settles it); an unanswered cancel gives
    /// the order back as <see cref="SlotStatus.Live"/>. A cancel the exchange already accepted waits for its terminal update.
    /// </summary>
    /// <returns>Whether the slot changed.</returns>
    public bool LapseClaims_NeedsLock(DateTimeOffset now, TimeSpan timeout)
    {
        AssertLocked();
#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.NoClaimTimeout))
        {
            timeout = TimeSpan.MaxValue; // the injected bug: an unanswered claim waits forever
        }
#endif
        if (Status == SlotStatus.PendingPlace && (Outlived(Order.LeaseToken, now) || now - Order.ClaimedAt >= timeout))
        {
            BecomeUnknown(now);
            return true;
        }

        if (Status == SlotStatus.PendingCancel && !Order.CancelAccepted && (Outlived(Order.CancelLeaseToken, now) || now - Order.CancelClaimedAt >= timeout))
        {
            GiveBackCancel();
            return true;
        }

        return false;
    }

    /// <summary>After recovery from a store no claim can still be answered by the process that took it: every one lapses.</summary>
    /// <returns>Whether the slot changed.</returns>
    public bool LapseClaimsAtRecovery_NeedsLock(DateTimeOffset now)
    {
        AssertLocked();
        if (Status == SlotStatus.PendingPlace)
        {
            BecomeUnknown(now);
            return true;
        }

        if (Status == SlotStatus.PendingCancel && !Order.CancelAccepted)
        {
            GiveBackCancel();
            return true;
        }

        return false;
    }

    /// <summary>Whether a claim taken under the lease <paramref name="leaseToken"/> (0: none) has outlived it.</summary>
    private bool Outlived(long leaseToken, DateTimeOffset now) =>
        leaseToken != 0 && !(Lease.Token == leaseToken && Lease.IsHeld(now));

    private void BecomeUnknown(DateTimeOffset now)
    {
        Status = SlotStatus.Unknown;
        Order.UnknownSince = now;
        Order.LeaseToken = 0;
    }

    private void GiveBackCancel()
    {
        Status = SlotStatus.Live;
        Order.CancelToken = 0;
        Order.CancelAccepted = false;
        Order.CancelLeaseToken = 0;
        Order.CancelClaimedAt = default;
    }

    // ---- Reading ----------------------------------------------------------------------------------------------------

    public SlotView ToView_NeedsLock()
    {
        AssertLocked();
        OrderView? order = Status == SlotStatus.Free
            ? null
            : new OrderView(
                Order.ClientOrderId,
                Order.OrderId,
                Order.Side,
                Order.Role,
                Order.Price,
                Order.Quantity,
                Order.FilledQuantity,
                Order.ClaimToken,
                Status == SlotStatus.PendingCancel)
            {
                ClaimedAt = Order.ClaimedAt,
            };
        return new SlotView(Price, Status, order, Position.Inventory, Position.EntryNotional, Position.EntryFees, Position.RealizedPnl, Position.RoundTrips)
        {
            Leverage = Leverage,
            StopLossFraction = StopLossFraction,
            StopLoss = StopLoss,
            TakeProfit = TakeProfit,
            Lease = Lease.Kind,
            LeaseExpiresAt = Lease.Token == 0 ? null : Lease.ExpiresAt,
        };
    }

    [Conditional("DEBUG")]
    private void AssertLocked() => Debug.Assert(Monitor.IsEntered(Sync), "the slot's lock must be held");
}
