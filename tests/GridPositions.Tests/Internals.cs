using GridPositions.Diagnostics;
using GridPositions.Fills;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Tests;

/// <summary>Reaches a manager's internals through its test seams, so tests can break an invariant on purpose and see it caught.</summary>
internal static class Internals
{
    public static Slot Slot(SuperPositionManager manager, decimal price) => manager.Book.Slots.Single(s => s.Price == price);

    /// <summary>Breaks the manager's indexes on purpose (under the slot book's lock).</summary>
    public static void CorruptIndex(SuperPositionManager manager, Action<OrderIndex> edit) => manager.Book.CorruptIndex(edit);

    public static CounterSet Counters(SuperPositionManager manager) => manager.CounterSet;

    /// <summary>True if the current thread holds the manager's lock or any slot's lock.</summary>
    public static bool HoldsAnyLock(SuperPositionManager manager) => manager.Book.IsLockHeld || manager.Book.Slots.Any(s => s.IsLockHeld);

    /// <summary>The slot's current order, read under its lock.</summary>
    public static OrderState OrderOf(Slot slot)
    {
        using (slot.Enter())
        {
            return slot.Order;
        }
    }

    public static void Corrupt(Slot slot, Action<Corruptible> edit) =>
        slot.Corrupt((ref SlotStatus status, ref OrderState order, ref PositionBook position) =>
        {
            var fields = new Corruptible { Status = status, Order = order, Position = position };
            edit(fields);
            (status, order, position) = (fields.Status, fields.Order, fields.Position);
        });

    /// <summary>The slot's fields a corruption may edit (copied in and written back under the slot's lock).</summary>
    internal sealed class Corruptible
    {
        public SlotStatus Status;
        public OrderState Order;
        public PositionBook Position;
    }
}
