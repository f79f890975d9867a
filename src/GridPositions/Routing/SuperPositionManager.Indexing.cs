using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Phase 3: makes the index entries of the ids an input touched match what <paramref name="slot"/> holds now.
    /// The slot is re-read here (slot lock inside the slot book's lock, the permitted order), because between phase 2
    /// and now another input may have moved it on; whichever phase 3 runs last sees the final state.
    /// </summary>
    private void SyncIndex_NeedsGlobalLock(Slot slot, in SlotEffects touched, ref Operation op)
    {
        AssertGlobalLock();
        string? currentClientId = null, currentOrderId = null;
        using (slot.Enter())
        {
            if (slot.Status != SlotStatus.Free)
            {
                currentClientId = slot.Order.ClientOrderId;
                currentOrderId = slot.Order.OrderId;
            }
        }

        _book.SyncIndex_NeedsLock(slot, touched.TouchedClientOrderId, touched.TouchedOrderId, currentClientId, currentOrderId);

        // Parked updates naming these ids can be routed now (to the live order, or as duplicates of a finished one).
        if (_book.ParkedCount_NeedsLock() > 0)
        {
            TakeParked_NeedsGlobalLock(touched.TouchedClientOrderId, touched.TouchedOrderId, ref op);
        }
    }

    private void TakeParked_NeedsGlobalLock(string? clientOrderId, string? orderId, ref Operation op)
    {
        AssertGlobalLock();
        _counters.Add(Counter.UpdatesRedriven, _book.TakeParked_NeedsLock(clientOrderId, orderId, ref op));
    }

    /// <summary>Re-applies a parked update whose mapping appeared (called by <see cref="Operation.Dispose"/>, with no lock held).</summary>
    internal void Redrive(in OrderUpdate update, ref Operation op) => ApplyUpdate(update, ref op);

    /// <summary>Starts event delivery if anything is queued (called by <see cref="Operation.Dispose"/>, with no lock held).</summary>
    internal void ScheduleEvents() => _events.Schedule();
}
