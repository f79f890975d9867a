using GridPositions.Diagnostics;
using GridPositions.Slots;

namespace GridPositions.Tests;

/// <summary>Each invariant CheckInvariants verifies is broken on purpose here, and must be named.</summary>
public class InvariantTests
{
    /// <summary>A grid with a live opening order at 100 (half filled) and a live closing order for the position at 99.</summary>
    private static TestGrid Busy()
    {
        var grid = new TestGrid();
        OrderAction open = grid.ClaimOpen(100m, 2m);
        grid.Update(open, grid.Place(open, "OPEN"), OrderStatus.PartiallyFilled, 1m);
        grid.OpenFilled(99m, 3m);
        OrderAction close = grid.ClaimClose(99m, 101m, 3m);
        grid.Update(close, grid.Place(close, "CLOSE"), OrderStatus.PartiallyFilled, 1m);
        grid.AssertInvariants();
        return grid;
    }

    private static void AssertViolation(TestGrid grid, string expected)
    {
        InvariantCheckResult check = grid.Manager.CheckInvariants();
        Assert.False(check.Holds, "the broken invariant went unnoticed");
        Assert.Contains(expected, check.Violation, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(check.ThrowIfViolated);
    }

    public static TheoryData<string, string> SlotCorruptions => new()
    {
        { "negative inventory", "is negative" },
        { "inventory not opened minus closed", "is not opened" },
        { "pnl not the closing fills", "is not the closing fills" },
        { "flat with entry cost", "flat but still carries" },
        { "free slot with an order", "free but still holds an order" },
        { "overfilled order", "filled 3 of 2" },
        { "role does not match side", "recorded as" },
        { "pending cancel without token", "with cancel token" },
        { "unknown status", "unknown status" },
        { "opening fill not the inventory", "but the slot holds" },
        { "closing order larger than inventory", "left but the slot holds" },
    };

    [Theory]
    [MemberData(nameof(SlotCorruptions))]
    public void CheckInvariants_NamesABrokenSlotInvariant(string corruption, string expected)
    {
        TestGrid grid = Busy();
        Slot open = Internals.Slot(grid.Manager, 100m);
        Slot held = Internals.Slot(grid.Manager, 99m);
        switch (corruption)
        {
            case "negative inventory": Internals.Corrupt(held, s => { s.Position.Inventory = -1m; s.Position.OpenedQuantity = -1m; s.Position.ClosedQuantity = 0; }); break;
            case "inventory not opened minus closed": Internals.Corrupt(held, s => s.Position.Inventory += 0.5m); break;
            case "pnl not the closing fills": Internals.Corrupt(held, s => s.Position.RealizedPnl += 0.01m); break;
            case "flat with entry cost": Internals.Corrupt(open, s => { s.Position = default; s.Position.EntryFees = 0.1m; s.Order.FilledQuantity = 0; }); break;
            case "free slot with an order": Internals.Corrupt(open, s => s.Status = SlotStatus.Free); break;
            case "overfilled order": Internals.Corrupt(open, s => s.Order.FilledQuantity = 3m); break;
            case "role does not match side": Internals.Corrupt(open, s => s.Order.Role = OrderRole.Close); break;
            case "pending cancel without token": Internals.Corrupt(open, s => s.Status = SlotStatus.PendingCancel); break;
            case "unknown status": Internals.Corrupt(open, s => s.Status = (SlotStatus)42); break;
            case "opening fill not the inventory": Internals.Corrupt(open, s => s.Order.FilledQuantity = 0.5m); break;
            case "closing order larger than inventory": Internals.Corrupt(held, s => s.Order.Quantity = 9m); break;
        }

        AssertViolation(grid, expected);
    }

    [Fact]
    public void CheckInvariants_NamesAnOrderIdOwnedByTwoSlots()
    {
        TestGrid grid = Busy();
        Internals.Corrupt(Internals.Slot(grid.Manager, 99m), s => s.Order.OrderId = "OPEN");
        AssertViolation(grid, "order id OPEN belongs to slots");
    }

    [Fact]
    public void CheckInvariants_NamesAClientIdOwnedByTwoSlots()
    {
        TestGrid grid = Busy();
        string taken = Internals.OrderOf(Internals.Slot(grid.Manager, 100m)).ClientOrderId;
        Internals.Corrupt(Internals.Slot(grid.Manager, 99m), s => s.Order.ClientOrderId = taken);
        AssertViolation(grid, "belongs to slots");
    }

    [Fact]
    public void CheckInvariants_NamesAnIndexEntryPointingAtTheWrongSlot()
    {
        TestGrid grid = Busy();
        Slots.Slot held = Internals.Slot(grid.Manager, 99m);
        string clientOrderId = Internals.OrderOf(held).ClientOrderId;
        Slot other = Internals.Slot(grid.Manager, 100m);
        Internals.CorruptIndex(grid.Manager, index =>
        {
            Assert.True(index.ByClientId.TryRemove(clientOrderId, held));
            Assert.True(index.ByClientId.TryAdd(clientOrderId, other));
        });
        AssertViolation(grid, "is indexed to slot 100");
    }

    [Fact]
    public void CheckInvariants_NamesAnIndexEntryForAnOrderNoSlotHas()
    {
        TestGrid grid = Busy();
        Slot slot = Internals.Slot(grid.Manager, 100m);
        Internals.CorruptIndex(grid.Manager, index => index.AddClientId("ghost", slot));
        AssertViolation(grid, "client order id ghost is indexed to slot 100");
    }

    [Fact]
    public void CheckInvariants_NamesALiveOrderMissingFromTheIndex()
    {
        TestGrid grid = Busy();
        Slot slot = Internals.Slot(grid.Manager, 100m);
        Internals.CorruptIndex(grid.Manager, index => index.Sync(slot, null, "OPEN", null, null)); // drops the order id entry
        AssertViolation(grid, "order id OPEN of slot 100");
    }

    [Fact]
    public void CheckInvariants_NamesAParkedUpdateThatVanished()
    {
        TestGrid grid = Busy();
        Internals.Counters(grid.Manager).Increment(Counter.UpdatesParked);
        AssertViolation(grid, "were parked but");
    }

#if DEBUG
    /// <summary>The slot book checks its own constant-time invariants each time its lock is taken (Debug builds).</summary>
    [Fact]
    public void AnIndexWindowClosedMoreOftenThanOpened_IsCaughtWhenTheBooksLockIsNextTaken()
    {
        TestGrid grid = Busy();
        grid.Manager.Book.CloseIndexWindow(); // a window no one opened

        Exception caught = Assert.ThrowsAny<Exception>(() => grid.ClaimOpen(97m));

        Assert.Contains("an index window was closed more often than opened", caught.Message, StringComparison.Ordinal);
    }
#endif
}
