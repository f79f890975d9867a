using System.Runtime.InteropServices;
using Google.Protobuf;
using GridPositions.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// Issue 12, "snapshots as values": a snapshot or journal record handed out is the caller's own. Editing one in place,
/// down to a nested message, changes neither the manager, nor a manager restored from it, nor any later snapshot or
/// record. (Replacing a field would not notice a nested message shared between two of them; editing it in place does.)
/// </summary>
public class SnapshotValueTests
{
    private static TestGrid Rich()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, fee: 0.1m);
        OrderAction close = grid.ClaimClose(100m, 101m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, fee: 0.1m);
        OrderAction live = grid.ClaimOpen(99m, 2m);
        grid.Update(live, grid.Place(live), OrderStatus.PartiallyFilled, 1m);
        grid.Manager.ModifyTargets(new ModifyRequest(99m, 90m, 110m, "test"));
        grid.ClaimOpen(98m);
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New });
        return grid;
    }

    /// <summary>Edits every kind of nested message of <paramref name="s"/> in place.</summary>
    private static void EditInPlace(PositionManagerSnapshot s)
    {
        foreach (InventorySlot slot in s.Slots)
        {
            slot.Inventory.Low64 += 7;
            slot.Price.Low64 += 1;
            slot.RealizedPnl.Negative = !slot.RealizedPnl.Negative;
            slot.Version += 100;
            if (slot.Order is { } order)
            {
                order.ClientOrderId += "-edited";
                order.Quantity.Low64 += 3;
                order.FilledQuantity.Scale = 1;
                order.ClaimedAt.Seconds += 60;
            }

            if (slot.LastOrder is { } last)
            {
                last.OrderId += "-edited";
                last.FilledQuantity.Low64 += 5;
            }

            foreach (TargetChangeMessage change in slot.TargetHistory)
            {
                change.Reason = "edited";
                change.StopLoss.Low64 += 1;
            }
        }

        s.ParkedUpdates[0].Update.OrderId = "EDITED";
        s.ParkedUpdates[0].Update.CumulativeFilledQuantity.Low64 = 9;
        s.RetiredIds[0].Id = "EDITED";
        s.RetiredIds[0].SlotPrice.Low64 += 1;
        s.Counters.Values["UpdatesParked"] = 1234;
        s.TickSize.Low64 = 42;
    }

    [Fact]
    public void EditingASnapshotInPlace_ChangesNeitherTheManagerNorItsNextSnapshot()
    {
        TestGrid grid = Rich();
        IReadOnlyList<SlotView> views = grid.Manager.GetSlots();
        PositionManagerSnapshot first = grid.Manager.CreateSnapshot();
        byte[] pristine = first.ToByteArray();

        EditInPlace(first);

        Assert.Equal(views, grid.Manager.GetSlots());
        Assert.Equal(PositionManagerSnapshot.Parser.ParseFrom(pristine), grid.Manager.CreateSnapshot());
        Assert.Equal(1, grid.Manager.ParkedUpdateCount);
        grid.AssertInvariants();
    }

    [Fact]
    public void EditingTheSnapshotARestoreCameFrom_ChangesNothingInTheRestoredManager()
    {
        TestGrid grid = Rich();
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        byte[] pristine = snapshot.ToByteArray();
        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, grid.Options, grid.Time);
        IReadOnlyList<SlotView> views = restored.GetSlots();

        EditInPlace(snapshot);

        Assert.Equal(views, restored.GetSlots());
        PositionManagerSnapshot again = restored.CreateSnapshot();
        PositionManagerSnapshot expected = PositionManagerSnapshot.Parser.ParseFrom(pristine);
        expected.ClientOrderIdPrefix = again.ClientOrderIdPrefix;
        Assert.Equal(expected, again);
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(new OrderUpdate { ClientOrderId = views.Single(v => v.Price == 99m).Order!.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m }));
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void SpoilingTheBytesAStoreWasGiven_ChangesNeitherTheManagerNorLaterRecordsNorSnapshots()
    {
        var store = new EditingStore();
        SuperPositionManager m = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, CheckpointEveryRecords = 0 });
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 2m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
        m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m });
        m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m });

        // Each record arrived intact (as bytes, before the store edited it) and describes the slot as it was then.
        Assert.Equal(4, store.Pristine.Count);
        Assert.Equal([0m, 0m, 1m, 2m], store.Pristine.Select(r => r.Slot.Inventory.ToDecimal()));
        Assert.Equal((2m, SlotStatus.Free), (m.GetSlot(100m)!.Inventory, m.GetSlot(100m)!.Status));
        Assert.Equal(store.Pristine[^1].Slot, m.CreateSnapshot().Slots.Single());
        Assert.True(m.CheckInvariants().Holds);
    }

    /// <summary>A journal that keeps a parsed copy of each entry, then overwrites the bytes it was given.</summary>
    private sealed class EditingStore : IPositionStore
    {
        public List<JournalRecord> Pristine { get; } = [];

        public Durability Durability => Durability.GroupCommit;

        public StoreRecovery Recover() => new(null, 1);

        public void Append(IReadOnlyList<JournalEntry> entries)
        {
            foreach (JournalEntry entry in entries)
            {
                Pristine.Add(JournalRecord.Parser.ParseFrom(entry.Payload.Span));
                Spoil(entry.Payload);
            }
        }

        /// <summary>Overwrites bytes the store was handed (they are its own to keep or spoil).</summary>
        private static void Spoil(ReadOnlyMemory<byte> payload)
        {
            Assert.True(MemoryMarshal.TryGetArray(payload, out ArraySegment<byte> bytes));
            bytes.AsSpan().Fill(0xFF);
        }

        public void StartSegment(ulong firstSequence)
        {
        }

        public void Checkpoint(StoreSnapshot snapshot) => Spoil(snapshot.Payload);

        public void Dispose()
        {
        }
    }
}
