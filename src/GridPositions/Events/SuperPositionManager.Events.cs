using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>A slot's status, order or position changed.</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot. Handlers may call back into the manager.</remarks>
    public event EventHandler<SlotChangedEventArgs>? SlotChanged
    {
        add => _events.SlotChanged += value;
        remove => _events.SlotChanged -= value;
    }

    /// <summary>A fill was booked (the growth of an order's cumulative fill, once).</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<FillAppliedEventArgs>? FillApplied
    {
        add => _events.FillApplied += value;
        remove => _events.FillApplied -= value;
    }

    /// <summary>A slot closed its position back to flat.</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<RoundTripCompletedEventArgs>? RoundTripCompleted
    {
        add => _events.RoundTripCompleted += value;
        remove => _events.RoundTripCompleted -= value;
    }

    /// <summary>A position's stop-loss or take-profit changed (<see cref="CompleteModify"/>).</summary>
    /// <remarks>Raised on a background task after the manager's locks are released, in order per slot.</remarks>
    public event EventHandler<TargetsChangedEventArgs>? TargetsChanged
    {
        add => _events.TargetsChanged += value;
        remove => _events.TargetsChanged -= value;
    }

    /// <summary>An update or result was rejected as contradicting the manager's state (overfill, conflicting ids...).</summary>
    public event EventHandler<InputRejectedEventArgs>? InputRejected
    {
        add => _events.InputRejected += value;
        remove => _events.InputRejected -= value;
    }

    /// <summary>A parked update never found its order.</summary>
    public event EventHandler<UpdateExpiredEventArgs>? UpdateExpired
    {
        add => _events.UpdateExpired += value;
        remove => _events.UpdateExpired -= value;
    }

    /// <summary>Queues the events one input caused on a slot. Under the slot lock, so per-slot order is kept; it only appends to memory.</summary>
    private void PublishEffects_NeedsSlotLock(Slot slot, in SlotEffects effects, ref Operation op)
    {
        AssertSlotLock(slot);
        if (effects.Changed)
        {
            SlotChanged_NeedsSlotLock(slot, ref op);
        }

        _events.QueueFill(slot, effects);
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
        _events.QueueSlotChanged(slot);
    }

    private void EnqueueTargetsChanged_NeedsSlotLock(Slot slot, TargetChange change)
    {
        AssertSlotLock(slot);
        _events.QueueTargetsChanged(slot.Price, change);
    }

    /// <summary>For reconciliation, whose inputs are the exchange's own reports: queues InputRejected with the report as an update.</summary>
    private void PublishIfRejected(InputDisposition disposition, in SlotEffects effects, in OrderUpdate report)
    {
        if (disposition == InputDisposition.Rejected)
        {
            PublishRejected(effects.Detail!, report, null);
        }
    }

    /// <summary>Queues InputRejected (if anyone listens).</summary>
    private void PublishRejected(string reason, OrderUpdate? update, OrderActionResult? result) => _events.QueueRejected(reason, update, result);
}
