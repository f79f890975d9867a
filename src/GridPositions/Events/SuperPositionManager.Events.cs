using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>A slot's status, order or position changed.</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot. Handlers may call back into the manager.</remarks>
    public event EventHandler<SlotChangedEventArgs>? SlotChanged;

    /// <summary>A fill was booked (the growth of an order's cumulative fill, once).</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<FillAppliedEventArgs>? FillApplied;

    /// <summary>A slot closed its position back to flat.</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<RoundTripCompletedEventArgs>? RoundTripCompleted;

    /// <summary>A position's stop-loss or take-profit changed (<see cref="CompleteModify"/>).</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<TargetsChangedEventArgs>? TargetsChanged;

    /// <summary>An update or result was rejected as contradicting the manager's state (overfill, conflicting ids...).</summary>
    public event EventHandler<InputRejectedEventArgs>? InputRejected;

    /// <summary>A parked update never found its order.</summary>
    public event EventHandler<UpdateExpiredEventArgs>? UpdateExpired;

    /// <summary>Called by the dispatcher, on its task, with no lock held.</summary>
    private void Publish(PositionEventArgs e)
    {
        switch (e)
        {
            case SlotChangedEventArgs slotChanged:
                Invoke(SlotChanged, slotChanged);
                break;
            case FillAppliedEventArgs fill:
                Invoke(FillApplied, fill);
                break;
            case RoundTripCompletedEventArgs trip:
                Invoke(RoundTripCompleted, trip);
                break;
            case InputRejectedEventArgs rejected:
                Invoke(InputRejected, rejected);
                break;
            case UpdateExpiredEventArgs expired:
                Invoke(UpdateExpired, expired);
                break;
            case TargetsChangedEventArgs targets:
                Invoke(TargetsChanged, targets);
                break;
        }
    }

    /// <summary>Calls each handler on its own, so one that throws (counted) does not starve the others.</summary>
    private void Invoke<T>(EventHandler<T>? handlers, T e)
        where T : PositionEventArgs
    {
        if (handlers is null)
        {
            return;
        }

        foreach (EventHandler<T> handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                handler(this, e);
            }
#pragma warning disable CA1031 // A subscriber's exception must not stop the other subscribers; it is counted (and logged) instead.
            catch (Exception exception)
            {
                _counters.Increment(Diagnostics.Counter.SubscriberFailures);
                LogSubscriberFailure(exception, typeof(T).Name);
            }
#pragma warning restore CA1031
        }
    }

    /// <summary>On the event task, with no lock held. A logger that throws is ignored: the failure is already counted.</summary>
    private void LogSubscriberFailure(Exception exception, string eventName)
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            Telemetry.Log.SubscriberFailed(_log, exception, Settings.Symbol, eventName.Replace("EventArgs", "", StringComparison.Ordinal));
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Queues the events one input caused on a slot. Under the slot lock, so per-slot order is kept; it only appends to memory.</summary>
    private void PublishEffects_NeedsSlotLock(Slot slot, in SlotEffects effects, ref Operation op)
    {
        AssertSlotLock(slot);
        if (effects.Changed)
        {
            SlotChanged_NeedsSlotLock(slot, ref op);
        }

        if (effects.HasFill && FillApplied is not null)
        {
            _events.Enqueue(new FillAppliedEventArgs
            {
                SlotPrice = slot.Price,
                ClientOrderId = effects.FillClientOrderId!,
                OrderId = effects.FillOrderId,
                Side = effects.FillSide,
                Role = effects.FillRole,
                Quantity = effects.FillQuantity,
                Notional = effects.FillNotional,
                Fee = effects.FillFee,
                RealizedPnl = effects.FillRealizedPnl,
                InventoryAfter = slot.Position.Inventory,
            });
        }

        if (effects.CompletedTrip is { } trip && RoundTripCompleted is not null)
        {
            _events.Enqueue(new RoundTripCompletedEventArgs
            {
                SlotPrice = slot.Price,
                Number = trip.Number,
                Quantity = trip.Quantity,
                EntryNotional = trip.EntryNotional,
                ExitNotional = trip.ExitNotional,
                Fees = trip.Fees,
                RealizedPnl = trip.RealizedPnl,
            });
        }
    }

    /// <summary>
    /// Every change to a slot goes through here: it stamps the reconciliation epoch, records the slot in the journal
    /// (memory only), and queues SlotChanged.
    /// </summary>
    private void SlotChanged_NeedsSlotLock(Slot slot, ref Operation op)
    {
        AssertSlotLock(slot);
        slot.MarkChanged_NeedsLock(_book.Epoch);
        Journal_NeedsSlotLock(slot, ref op);
        if (SlotChanged is null)
        {
            return;
        }

#if FAULT_INJECTION
        if (Diagnostics.FaultInjection.Is(Diagnostics.Fault.CallbackUnderLock))
        {
            Publish(new SlotChangedEventArgs(slot.ToView_NeedsLock()));
            return;
        }
#endif

        _events.Enqueue(new SlotChangedEventArgs(slot.ToView_NeedsLock()));
    }

    private void EnqueueTargetsChanged_NeedsSlotLock(Slot slot, TargetChange change)
    {
        AssertSlotLock(slot);
        if (TargetsChanged is null)
        {
            return;
        }

        _events.Enqueue(new TargetsChangedEventArgs(slot.Price, change));
    }

    /// <summary>For reconciliation, whose inputs are the exchange's own reports: queues InputRejected with the report as an update.</summary>
    private void PublishIfRejected(InputDisposition disposition, in SlotEffects effects, in OrderUpdate report)
    {
        if (disposition == InputDisposition.Rejected)
        {
            PublishRejected(effects.Detail!, report, null);
        }
    }

    /// <summary>Queues InputRejected (if anyone listens). Callers reach it only on the rejected path, so the hot path copies no input.</summary>
    private void PublishRejected(string reason, OrderUpdate? update, OrderActionResult? result)
    {
        if (InputRejected is null)
        {
            return;
        }

        _events.Enqueue(new InputRejectedEventArgs(reason, update, result));
    }
}
