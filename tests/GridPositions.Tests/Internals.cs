using System.Reflection;
using GridPositions.Diagnostics;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Tests;

/// <summary>Reaches into a manager's private state, so tests can break an invariant on purpose and see it caught.</summary>
internal static class Internals
{
    private static T Field<T>(SuperPositionManager manager, string name) =>
        (T)typeof(SuperPositionManager).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(manager)!;

    public static Slot Slot(SuperPositionManager manager, decimal price) =>
        Field<System.Collections.Concurrent.ConcurrentDictionary<long, Slot>>(manager, "_slots").Values.Single(s => s.Price == price);

    public static OrderIndex Index(SuperPositionManager manager) => Field<OrderIndex>(manager, "_index");

    public static CounterSet Counters(SuperPositionManager manager) => Field<CounterSet>(manager, "_counters");

    /// <summary>True if the current thread holds the manager's lock or any slot's lock.</summary>
    public static bool HoldsAnyLock(SuperPositionManager manager) =>
        Monitor.IsEntered(Field<object>(manager, "_sync"))
        || Field<System.Collections.Concurrent.ConcurrentDictionary<long, Slot>>(manager, "_slots").Values.Any(s => Monitor.IsEntered(s.Sync));
}
