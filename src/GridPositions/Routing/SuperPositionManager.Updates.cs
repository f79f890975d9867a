using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Applies an order update from the exchange's stream. Routed by order id, then client order id; an update that
    /// matches no known order is parked (bounded) until its mapping appears, or expires with a counted outcome.
    /// </summary>
    /// <param name="update">The update. Quantities are cumulative.</param>
    /// <returns>What became of the update.</returns>
    /// <remarks>
    /// Only the growth of the cumulative filled quantity is booked, so duplicate and older updates change nothing.
    /// An update reporting more filled than the order's quantity is rejected (<see cref="ManagerCounters.Overfills"/>).
    /// FILLED, CANCELED, REJECTED and EXPIRED are final and free the slot, which keeps any inventory the order's fills
    /// booked. An update for an order the slot no longer has is stale and ignored.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="update"/> is malformed (no ids, unknown status, negative quantities); nothing changed.</exception>
    public InputDisposition OnOrderUpdate(OrderUpdate update)
    {
        // Exchanges often send "" for a missing id: it is no id, never an id that could match another order's "".
        if (IsBlank(update.OrderId) || IsBlank(update.ClientOrderId))
        {
            update = update with { OrderId = IsBlank(update.OrderId) ? null : update.OrderId, ClientOrderId = IsBlank(update.ClientOrderId) ? null : update.ClientOrderId };
        }

        ValidateUpdate(update);
        var op = new Operation(this);
        try
        {
            return ApplyUpdate(update, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    /// <summary>Expires parked updates older than the time to live now, rather than at the next update.</summary>
    /// <returns>How many expired.</returns>
    public int ExpireParkedUpdates()
    {
        List<ParkedEntry>? expired = null;
        DateTimeOffset now = _time.GetUtcNow();
        var op = new Operation(this);
        try
        {
            using (_book.Enter())
            {
                _book.TakeExpired_NeedsLock(now, ref expired);
                CountExpired_NeedsGlobalLock(expired);
            }
        }
        finally
        {
            op.Dispose();
        }

        return expired?.Count ?? 0;
    }

    private InputDisposition ApplyUpdate(in OrderUpdate update, ref Operation op)
    {
        Slot? slot;
        var effects = default(SlotEffects);
        InputDisposition disposition;
        // Phase 1: route by order id, then client order id; park what matches nothing.
        slot = RouteOrPark(update);
        if (slot is null)
        {
            return InputDisposition.Parked;
        }

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.UnlockedDuplicateShortcut) && !Slot.IsTerminal(update.Status) && slot.FilledQuantityWithoutLock == update.CumulativeFilledQuantity)
        {
            _counters.Count(InputDisposition.Duplicate, isUpdate: true); // the injected bug: no lock, no id check
            return InputDisposition.Duplicate;
        }
#endif

        // Phase 2: the slot checks the update is for its current order and books only the fill's growth.
        using (slot.Enter())
        {
            disposition = slot.ApplyUpdate_NeedsLock(update, _sign, ref effects);
            PublishEffects_NeedsSlotLock(slot, effects, ref op);
            if (disposition == InputDisposition.Rejected)
            {
                PublishRejected(effects.Detail!, update, null);
            }

            if (effects.NeedsIndexSync)
            {
                op.OpenIndexWindow(); // under the slot's lock: before anyone can see the change
            }
#if FAULT_INJECTION
            if (FaultInjection.Is(Fault.LockOrderInversion) && effects.NeedsIndexSync)
            {
                using (_book.Enter())
                {
                    SyncIndex_NeedsGlobalLock(slot, effects, ref op);
                }
            }
#endif
        }

        // Phase 3: index an id the update taught us, or retire the ids of an order it finished.
        if (effects.NeedsIndexSync)
        {
            using (_book.Enter())
            {
                SyncIndex_NeedsGlobalLock(slot, effects, ref op);
            }

            op.CloseIndexWindow();
        }

        _counters.Count(disposition, isUpdate: true);
        if (effects.Overfill)
        {
            _counters.Increment(Counter.Overfills);
        }

        if (effects.HasFill)
        {
            _counters.Increment(Counter.FillsApplied);
        }

        if (effects.CompletedTrip is not null)
        {
            _counters.Increment(Counter.RoundTripsCompleted);
        }

        return disposition;
    }

    /// <summary>Phase 1 of an update: finds its slot, or parks it and returns null.</summary>
    /// <remarks>
    /// A live order is found without the lock (the index may trail by one phase, which phase 2 absorbs). Anything else
    /// is routed again under the lock, where routing and parking are one step with the re-drive in phase 3, so an update
    /// is parked only if its mapping really is absent. The clock is user code, so it is read outside the lock: up front
    /// when updates are parked (to expire old ones), otherwise only once routing has failed, then routing is tried again.
    /// </remarks>
    private Slot? RouteOrPark(in OrderUpdate update)
    {
        // Fast path, without the lock: the update's order is live and nothing is parked (nothing to expire).
        if (_book.ParkedCountWithoutLock == 0 && _book.TryRouteLive(update.OrderId, update.ClientOrderId, out Slot? live))
        {
            return live;
        }

        DateTimeOffset? now = _book.ParkedCountWithoutLock > 0 ? _time.GetUtcNow() : null;
        while (true)
        {
            using (_book.Enter())
            {
                List<ParkedEntry>? expired = null;
                if (now is { } at && _book.ParkedCount_NeedsLock() > 0)
                {
                    _book.TakeExpired_NeedsLock(at, ref expired);
                }

                bool routed = _book.TryRoute_NeedsLock(update.OrderId, update.ClientOrderId, out Slot? slot);
#if FAULT_INJECTION
                if (FaultInjection.Is(Fault.ParkWithoutRecheck))
                {
                    routed = false; // the injected bug: trust the lock-free miss instead of routing again under the lock
                    slot = null;
                }
#endif
#if FAULT_INJECTION
                if (!routed && FaultInjection.Is(Fault.DropEarlyUpdates))
                {
                    return null;
                }
#endif
                if (!routed && now is { } parkedAt)
                {
                    _book.Park_NeedsLock(update, parkedAt, ref expired);
                    _counters.Increment(Counter.UpdatesParked);
                }

                if (expired is not null)
                {
                    CountExpired_NeedsGlobalLock(expired);
                }

                if (routed || now is not null)
                {
                    return slot;
                }
            }

            now = _time.GetUtcNow();
        }
    }

    private static bool IsBlank(string? id) => id is not null && string.IsNullOrWhiteSpace(id);

    /// <summary>The sign bit first, so the usual non-negative amount costs no decimal comparison (-0 is not below zero).</summary>
    private static bool IsBelowZero(decimal value) => decimal.IsNegative(value) && value != 0m;

    internal static void ValidateUpdate(in OrderUpdate update)
    {
        if (DescribeBadUpdate(update) is { } problem)
        {
            throw new ArgumentException(problem, nameof(update));
        }
    }

    /// <summary>What is wrong with an update, or null (shared with snapshot validation, which names the field itself).</summary>
    internal static string? DescribeBadUpdate(in OrderUpdate update)
    {
        if (update.OrderId is null && update.ClientOrderId is null)
        {
            return "An order update needs an OrderId or a ClientOrderId.";
        }

        if (update.Status is < OrderStatus.New or > OrderStatus.Expired)
        {
            return $"Status must be a known order status; got {update.Status}.";
        }

        if (IsBelowZero(update.CumulativeFilledQuantity))
        {
            return $"CumulativeFilledQuantity must not be negative; got {update.CumulativeFilledQuantity}.";
        }

        if (update.CumulativeQuoteQuantity is { } quote && IsBelowZero(quote))
        {
            return $"CumulativeQuoteQuantity must not be negative; got {update.CumulativeQuoteQuantity}.";
        }

        // The bound (MaxAmount): three comparisons, before any lock; the implied price only for sub-unit fills.
        if (update.CumulativeFilledQuantity > Fills.Amounts.Max || update.CumulativeQuoteQuantity > Fills.Amounts.Max || !Fills.Amounts.Fits(update.CumulativeFee))
        {
            return BeyondBound(update);
        }

        // Notional over quantity must be a price within the bound too; below one unit, Max x quantity cannot overflow.
        if (update.CumulativeQuoteQuantity is { } notional && update.CumulativeFilledQuantity is > 0m and < 1m && notional > Fills.Amounts.Max * update.CumulativeFilledQuantity)
        {
            return $"CumulativeQuoteQuantity {notional} for {update.CumulativeFilledQuantity} filled is a price beyond the bound of {Fills.Amounts.Max:N0}.";
        }

        return null;
    }

    private static string BeyondBound(in OrderUpdate update) =>
        update.CumulativeFilledQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeFilledQuantity", update.CumulativeFilledQuantity)
        : update.CumulativeQuoteQuantity > Fills.Amounts.Max ? Fills.Amounts.Describe("CumulativeQuoteQuantity", update.CumulativeQuoteQuantity!.Value)
        : Fills.Amounts.Describe("CumulativeFee", update.CumulativeFee);

    /// <summary>Counts expired parked updates and queues their events.</summary>
    private void CountExpired_NeedsGlobalLock(List<ParkedEntry>? expired)
    {
        AssertGlobalLock();
        if (expired is null)
        {
            return;
        }

        _counters.Add(Counter.UpdatesExpired, expired.Count);
        _events.QueueExpired(expired);
    }
}
