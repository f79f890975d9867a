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
    /// Level 2 (see LOCK_ORDERING.md). Guards every mutable field of this slot; only <see cref="Enter"/> takes it. May
    /// be taken while holding the slot book's lock (level 1), never the other way round, and no two slot locks are
    /// held at once.
    /// </summary>
    private readonly object _sync = new();

    private SlotStatus _status = SlotStatus.Free;
    private OrderState _order;
    private PositionBook _position;
    private FinishedOrderState _lastOrder;
    private Leases.LeaseState _lease;
    private int? _leverage;
    private decimal? _stopLossFraction;
    private decimal? _stopLoss;
    private decimal? _takeProfit;
    private TargetChange[]? _targetHistory; // replaced on each change, never edited: a state read earlier keeps its own
    private long _changedEpoch;
    private long _version;
    private UpdateTally _tally; // not state: counts only, never journaled or restored (the manager's counters are)

    public Slot(long key, decimal price)
    {
        Key = key;
        Price = price;
    }

    /// <summary>A slot restored exactly as <paramref name="state"/> holds it (from a snapshot or a journal record); no lease is restored.</summary>
    public Slot(in SlotState state)
        : this(state.Key, state.Price)
    {
        _status = state.Status;
        _order = state.Order;
        _position = state.Position;
        _lastOrder = state.LastOrder;
        _leverage = state.Leverage;
        _stopLossFraction = state.StopLossFraction;
        _stopLoss = state.StopLoss;
        _takeProfit = state.TakeProfit;
        _targetHistory = state.TargetHistory;
        _version = state.Version;
    }

    public long Key { get; }

    public decimal Price { get; }

    public SlotStatus Status
    {
        get
        {
            AssertLocked();
            return _status;
        }
    }

    /// <summary>The current order; meaningful only while the slot is not <see cref="SlotStatus.Free"/>.</summary>
    public ref readonly OrderState Order
    {
        get
        {
            AssertLocked();
            return ref _order;
        }
    }

    public ref readonly PositionBook Position
    {
        get
        {
            AssertLocked();
            return ref _position;
        }
    }

    public ref readonly FinishedOrderState LastOrder
    {
        get
        {
            AssertLocked();
            return ref _lastOrder;
        }
    }

    /// <summary>The close or modify lease the position is held under, if any.</summary>
    public ref readonly Leases.LeaseState Lease
    {
        get
        {
            AssertLocked();
            return ref _lease;
        }
    }

    // The open position's parameters and targets; cleared when the slot goes flat.
    public int? Leverage
    {
        get
        {
            AssertLocked();
            return _leverage;
        }
    }

    public decimal? StopLossFraction
    {
        get
        {
            AssertLocked();
            return _stopLossFraction;
        }
    }

    public decimal? StopLoss
    {
        get
        {
            AssertLocked();
            return _stopLoss;
        }
    }

    public decimal? TakeProfit
    {
        get
        {
            AssertLocked();
            return _takeProfit;
        }
    }

    /// <summary>Accepted target changes, oldest first (the last <see cref="TargetHistoryLimit"/>).</summary>
    public IReadOnlyList<TargetChange>? TargetHistory
    {
        get
        {
            AssertLocked();
            return _targetHistory;
        }
    }

    /// <summary>The manager's reconciliation epoch when this slot last changed.</summary>
    public long ChangedEpoch
    {
        get
        {
            AssertLocked();
            return _changedEpoch;
        }
    }

    /// <summary>How many times the slot has changed (persisted; a journal record replays only over an older version).</summary>
    public long Version
    {
        get
        {
            AssertLocked();
            return _version;
        }
    }

    public const int TargetHistoryLimit = 32;

    // ---- Claims -------------------------------------------------------------------------------------------------

    /// <summary>Whether a place of <paramref name="quantity"/> in <paramref name="role"/> may claim this slot now.</summary>
    public ClaimRejection CheckPlace_NeedsLock(OrderRole role, decimal quantity, out string? detail)
    {
        AssertLocked();
        detail = null;
        if (Status != SlotStatus.Free)
        {
            detail = $"slot {Price} is busy ({Status}) with order {_order.ClientOrderId}";
            return ClaimRejection.SlotBusy;
        }

        if (role == OrderRole.Open && !_position.IsFlat)
        {
            detail = $"slot {Price} already holds {_position.Inventory}; only a closing order is allowed";
            return ClaimRejection.PositionAlreadyOpen;
        }

        if (role == OrderRole.Close && quantity > _position.Inventory)
        {
            detail = $"closing {quantity} would oversell slot {Price}, which holds {_position.Inventory}";
            return ClaimRejection.WouldOversell;
        }

        return ClaimRejection.None;
    }

    /// <summary>Makes <paramref name="action"/> the slot's order. Call only after <see cref="CheckPlace_NeedsLock"/> accepted it, in the same lock section.</summary>
    /// <param name="action">The claimed place.</param>
    /// <param name="role">Opening or closing.</param>
    /// <param name="now">When it was claimed: the pending-claim timeout runs from here.</param>
    /// <param name="feesPerTrade">Its fees are booked from trades (<see cref="PositionManagerOptions.FeesPerTrade"/>).</param>
    /// <param name="leaseToken">The close lease it was claimed under, or 0: the claim lapses when that lease ends.</param>
    public void BeginOrder_NeedsLock(in OrderAction action, OrderRole role, DateTimeOffset now, bool feesPerTrade, long leaseToken = 0)
    {
        AssertLocked();
        if (Status != SlotStatus.Free)
        {
            // Impossible when the claim was checked in this lock section; never overwrite a live order quietly.
            throw new InvalidOperationException($"Thread-safety bug detected: slot {Price} claimed while {Status} with order {_order.ClientOrderId}.");
        }

        _order = new OrderState
        {
            ClaimToken = action.ClaimToken,
            ClientOrderId = action.ClientOrderId,
            Side = action.Side,
            Role = role,
            Price = action.Price,
            Quantity = action.Quantity,
            ClaimedAt = now,
            LeaseToken = leaseToken,
            PostOnly = action.PostOnly,
            TimeInForce = action.TimeInForce,
            PositionSide = action.PositionSide,
            FeesPerTrade = feesPerTrade,
        };
        _status = SlotStatus.PendingPlace;
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
                detail = $"slot {Price} already has a cancel in flight for order {_order.ClientOrderId}";
                return ClaimRejection.SlotBusy;
            case SlotStatus.PendingPlace:
            case SlotStatus.Unknown:
                detail = $"slot {Price} order {_order.ClientOrderId} is not known to be live yet ({Status})";
                return ClaimRejection.SlotBusy;
        }

        _order.CancelToken = token;
        _order.CancelAccepted = false;
        _order.CancelClaimedAt = now;
        _order.CancelLeaseToken = leaseToken;
        _status = SlotStatus.PendingCancel;
        action = _order.WithIntent(new OrderAction(OrderActionType.Cancel, Price, _order.Side, _order.Price, _order.Quantity, _order.ClientOrderId, _order.OrderId, token));
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
        if (Status == SlotStatus.PendingPlace && (Outlived(_order.LeaseToken, now) || now - _order.ClaimedAt >= timeout))
        {
            BecomeUnknown(now);
            return true;
        }

        if (Status == SlotStatus.PendingCancel && !_order.CancelAccepted && (Outlived(_order.CancelLeaseToken, now) || now - _order.CancelClaimedAt >= timeout))
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

        if (Status == SlotStatus.PendingCancel && !_order.CancelAccepted)
        {
            GiveBackCancel();
            return true;
        }

        return false;
    }

    /// <summary>Whether a claim taken under the lease <paramref name="leaseToken"/> (0: none) has outlived it.</summary>
    private bool Outlived(long leaseToken, DateTimeOffset now) =>
        leaseToken != 0 && !(_lease.Token == leaseToken && _lease.IsHeld(now));

    private void BecomeUnknown(DateTimeOffset now)
    {
        _status = SlotStatus.Unknown;
        _order.UnknownSince = now;
        _order.LeaseToken = 0;
    }

    private void GiveBackCancel()
    {
        _status = SlotStatus.Live;
        _order.CancelToken = 0;
        _order.CancelAccepted = false;
        _order.CancelLeaseToken = 0;
        _order.CancelClaimedAt = default;
    }

    // ---- Reading ----------------------------------------------------------------------------------------------------

    /// <summary>The slot's whole state now, as a value.</summary>
    public SlotState ReadState_NeedsLock()
    {
        AssertLocked();
        return new SlotState(Key, Price, _status, _order, _position, _lastOrder, _lease, _leverage, _stopLossFraction, _stopLoss, _takeProfit, _targetHistory, _version);
    }

    public SlotView ToView_NeedsLock() => ReadState_NeedsLock().ToView();

    // ---- The lock and bookkeeping -----------------------------------------------------------------------------------

    /// <summary>Takes the slot's lock for one critical section: <c>using (slot.Enter()) { ... }</c>.</summary>
    public SlotLock Enter()
    {
        Monitor.Enter(_sync);
        return new SlotLock(_sync);
    }

    /// <summary>Whether the current thread holds this slot's lock (for the logging tests' "nothing under a lock" check).</summary>
    public bool IsLockHeld => Monitor.IsEntered(_sync);

    /// <summary>Records that the slot changed: one more version (what the journal replays by), seen at <paramref name="epoch"/>.</summary>
    public void MarkChanged_NeedsLock(long epoch)
    {
        AssertLocked();
        _changedEpoch = epoch;
        _version++;
    }

    /// <summary>Counts what became of an update this slot applied (see <see cref="UpdateTally"/>).</summary>
    public void Tally_NeedsLock(InputDisposition disposition, in SlotEffects effects)
    {
        AssertLocked();
        _tally.Count(disposition, effects);
    }

    /// <summary>This slot's count of <paramref name="counter"/>, read without the lock.</summary>
    public long ReadTally(Diagnostics.Counter counter) => _tally.Read(counter);

    /// <summary>Sets the parameters an opening claim carries for the position it opens.</summary>
    public void SetPositionParameters_NeedsLock(int? leverage, decimal? stopLossFraction)
    {
        AssertLocked();
        _leverage = leverage;
        _stopLossFraction = stopLossFraction;
    }

    /// <summary>The shape of <see cref="Corrupt"/>'s edit.</summary>
    public delegate void Corruption(ref SlotStatus status, ref OrderState order, ref PositionBook position);

    /// <summary>Test seam: breaks the slot's state on purpose, under its lock, so a test can see the invariant check name it.</summary>
    public void Corrupt(Corruption corruption)
    {
        using (Enter())
        {
            corruption(ref _status, ref _order, ref _position);
        }
    }

#if FAULT_INJECTION
    /// <summary>The injected bugs that let go of the slot's lock in the middle of a section use these.</summary>
    public void ExitForFault() => Monitor.Exit(_sync);

    public void EnterForFault() => Monitor.Enter(_sync);

    /// <summary>The injected unlocked shortcut reads the fill without the lock.</summary>
    public decimal FilledQuantityWithoutLock => _order.FilledQuantity;

    /// <summary>The injected unlocked dedup reads the live order's trade ids without the lock.</summary>
    public bool KnowsTradeWithoutLock(string tradeId) => _order.TradeIds is { } ids && Array.IndexOf(ids, tradeId) >= 0;
#endif

    /// <summary>Every method named <c>_NeedsLock</c> here, and every rule named <c>_NeedsSlotLock</c>, starts with this.</summary>
    [Conditional("DEBUG")]
    public void AssertLocked() => Debug.Assert(Monitor.IsEntered(_sync), "the slot's lock must be held");
}

/// <summary>A held slot lock; <see cref="Dispose"/> releases it.</summary>
internal readonly ref struct SlotLock(object sync)
{
    public void Dispose() => Monitor.Exit(sync);
}
