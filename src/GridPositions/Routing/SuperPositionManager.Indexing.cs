using System.Diagnostics;
using GridPositions.Diagnostics;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Phase 3: makes the index entries of the ids an input touched match what <paramref name="slot"/> holds now.
    /// The slot is re-read here (slot lock inside the manager's lock, the permitted order), because between phase 2
    /// and now another input may have moved it on; whichever phase 3 runs last sees the final state.
    /// </summary>
    private void SyncIndex_NeedsGlobalLock(Slot slot, in SlotEffects touched, ref List<OrderUpdate>? redrive)
    {
        Debug.Assert(Monitor.IsEntered(_sync), "the manager's lock must be held");
        string? currentClientId = null, currentOrderId = null;
        lock (slot.Sync)
        {
            if (slot.Status != SlotStatus.Free)
            {
                currentClientId = slot.Order.ClientOrderId;
                currentOrderId = slot.Order.OrderId;
            }
        }

        _index.Sync(slot, touched.TouchedClientOrderId, touched.TouchedOrderId, currentClientId, currentOrderId);

        // Parked updates naming these ids can be routed now (to the live order, or as duplicates of a finished one).
        if (_parked.Count > 0)
        {
            TakeParked_NeedsGlobalLock(touched.TouchedClientOrderId, touched.TouchedOrderId, ref redrive);
        }
    }

    private void TakeParked_NeedsGlobalLock(string? clientOrderId, string? orderId, ref List<OrderUpdate>? redrive)
    {
        int before = redrive?.Count ?? 0;
        _parked.TakeMatching(clientOrderId, orderId, ref redrive);
        _counters.Add(Counter.UpdatesRedriven, (redrive?.Count ?? 0) - before);
    }

    /// <summary>
    /// Runs after every public operation, with no lock held: re-applies parked updates whose mapping appeared (in
    /// arrival order; each may free more), then starts event delivery.
    /// </summary>
    private void AfterOperation(List<OrderUpdate>? redrive)
    {
        for (int i = 0; i < (redrive?.Count ?? 0); i++)
        {
            ApplyUpdate(redrive![i], ref redrive);
        }

        _events.Schedule(); // a no-op unless this call (or a racing one) queued events

        AwaitDurable();
    }
}
