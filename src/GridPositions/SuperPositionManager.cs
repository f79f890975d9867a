using System.Diagnostics;
using System.Diagnostics.Metrics;
using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Events;
using GridPositions.Routing;
using GridPositions.Slots;
using Microsoft.Extensions.Logging;

namespace GridPositions;

/// <summary>
/// Keeps one inventory slot per grid price level, with <c>orderId -> slot</c> and <c>clientOrderId -> slot</c>
/// indexes, correct under concurrent claims, action results, order updates and snapshots.
/// </summary>
/// <remarks>
/// <para>Every public member is thread-safe. Locks: the manager's own lock (level 1) guards the slot table, both
/// indexes and the parked updates; each slot's lock (level 2) guards that slot. Level 1 is always taken before
/// level 2, never while holding it, and at most one slot lock is held at a time (see LOCK_ORDERING.md). Nothing
/// blocking, no callback and no event runs under either lock: events are queued there and published afterwards on a
/// background task, in order per slot.</para>
/// <para>Slots are keyed by integer ticks (price / tick size), so <c>100</c>, <c>100.0</c> and <c>100.00</c> are one level.
/// Money is <see cref="decimal"/> throughout.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The checkpoint gate (SemaphoreSlim) never allocates a wait handle; there is nothing to dispose.")]
public sealed partial class SuperPositionManager
{
    /// <summary>The slots, their indexes, the parked updates and the id sequences: level 1 of the lock order.</summary>
    private readonly SlotBook _book;
    private readonly PriceGrid _grid;
    private readonly TimeProvider _time;
    private readonly CounterSet _counters = new();
    private readonly EventSink _events;

    /// <summary>+1 for a long grid, -1 for a short one: the sign of (exit - entry) in realised profit.</summary>
    private readonly int _sign;
    private readonly OrderSide _openingSide;

    /// <summary>
    /// The largest magnitude of any price, quantity, notional, fee or position the manager accepts: 10^15. Within it a
    /// slot keeps its 12 decimal places of pro-rata cost exactly and no total over the slots can overflow, so no
    /// accepted input can make a later read throw. Beyond it, a claim is <see cref="ClaimRejection.Invalid"/> and any
    /// other input an <see cref="ArgumentException"/> naming the field.
    /// </summary>
    public const decimal MaxAmount = Fills.Amounts.Max;

    /// <summary>Creates an empty manager for the grid described by <paramref name="options"/>.</summary>
    /// <param name="options">The instrument's grid and the manager's bounds.</param>
    /// <param name="timeProvider">The clock for parked-update expiry, leases and snapshot times; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs (category <c>GridPositions.SuperPositionManager</c>), never under a lock; no logging if null.</param>
    /// <param name="meterFactory">Creates the <see cref="MeterName"/> meter for the manager's counters; no metrics if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SuperPositionManager(PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, timeProvider, loggerFactory, meterFactory, clientIdPrefix: null)
    {
        RegisterMetrics();
    }

    private SuperPositionManager(PositionManagerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, string? clientIdPrefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy(); // the caller may change theirs later; validate and keep our own
        options.Validate();
        Settings = options;
        _time = timeProvider ?? TimeProvider.System;
        _grid = new PriceGrid(options.TickSize, options.QuantityStep);
        _sign = options.Direction == GridDirection.Long ? 1 : -1;
        _openingSide = options.Direction == GridDirection.Long ? OrderSide.Buy : OrderSide.Sell;
        _book = new SlotBook(options, clientIdPrefix ?? options.ClientOrderIdPrefix + ToBase36(_time.GetUtcNow().ToUnixTimeMilliseconds()) + "-");
        _log = loggerFactory?.CreateLogger(LogCategory);
        _events = new EventSink(this, _counters, _log, options.Symbol);
        if (_log is not null)
        {
            AttachLogging(_log);
        }

        _meterFactory = meterFactory; // instruments are registered once the manager is whole (RegisterMetrics)
    }

    /// <summary>A copy of the options this manager was built with.</summary>
    public PositionManagerOptions Options => Settings.Copy();

    /// <summary>The manager's own copy of its options, never changed.</summary>
    internal PositionManagerOptions Settings { get; }

    /// <summary>The side that opens a slot's position: buy for a long grid, sell for a short one.</summary>
    public OrderSide OpeningSide => _openingSide;

    /// <summary>The side that closes a slot's position.</summary>
    public OrderSide ClosingSide => _openingSide == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    /// <summary>A copy of every counter.</summary>
    public ManagerCounters Counters => _counters.ToPublic();

    /// <summary>How many updates are waiting for their order's mapping.</summary>
    public int ParkedUpdateCount => _book.ParkedCountWithoutLock;

    /// <summary>A copy of the slot at <paramref name="price"/>, or null if no slot was ever created there.</summary>
    /// <exception cref="ArgumentException"><paramref name="price"/> is not positive or not on the tick grid.</exception>
    public SlotView? GetSlot(decimal price)
    {
        if (!_book.TryGet(_grid.GetTicks(price, nameof(price)), out Slot? slot))
        {
            return null;
        }

        using (slot.Enter())
        {
            return slot.ToView_NeedsLock();
        }
    }

    /// <summary>A copy of every slot, by ascending price. Each slot is copied atomically; the list is not one instant.</summary>
    public IReadOnlyList<SlotView> GetSlots()
    {
        Slot[] slots = SlotsByKey();
        var views = new SlotView[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            using (slots[i].Enter())
            {
                views[i] = slots[i].ToView_NeedsLock();
            }
        }

        return views;
    }

    /// <summary>Inventory and realised profit summed over all slots (each slot read atomically).</summary>
    public PositionTotals GetTotals()
    {
        decimal inventory = 0, realized = 0, entryNotional = 0;
        long roundTrips = 0;
        foreach (Slot slot in SlotsByKey())
        {
            using (slot.Enter())
            {
                inventory += slot.Position.Inventory;
                entryNotional += slot.Position.EntryNotional;
                realized += slot.Position.RealizedPnl;
                roundTrips += slot.Position.RoundTrips;
            }
        }

        return new PositionTotals(inventory, entryNotional, realized, roundTrips);
    }

    /// <summary>Completes when every event raised before the call has been delivered to the subscribers.</summary>
    public Task FlushEventsAsync() => _events.FlushAsync();

    /// <summary>Whether queued events have no drain to deliver them (tests check it after each call returns).</summary>
    internal bool EventDeliveryStalled => _events.IsStalled;

    /// <summary>Test seam: whether the event named <paramref name="name"/> has any handler.</summary>
    internal bool HasHandlers(string name) => _events.HasHandlers(name);

    /// <summary>Test seams: the slot table, the index and the counters, for tests that break an invariant on purpose.</summary>
    internal ICollection<Slot> SlotTable => _book.Slots;

    internal SlotBook Book => _book;

    internal CounterSet CounterSet => _counters;

    /// <summary>Whether the current thread holds the slot book's lock or any slot's lock (the logging tests check it is neither).</summary>
    internal bool HoldsAnyLock() => _book.IsLockHeld || _book.Slots.Any(s => s.IsLockHeld);

    /// <summary>Every method named <c>_NeedsGlobalLock</c> or <c>_NeedsLocks</c> starts with this.</summary>
    [Conditional("DEBUG")]
    private void AssertGlobalLock() => _book.AssertLocked();

    /// <summary>Every method named <c>_NeedsSlotLock</c> or <c>_NeedsLocks</c> starts with this.</summary>
    [Conditional("DEBUG")]
    private static void AssertSlotLock(Slot slot) => Debug.Assert(slot.IsLockHeld, "the slot's lock must be held");

    private Slot[] SlotsByKey() => _book.ByKey();

    private OrderRole RoleOf(OrderSide side) => side == _openingSide ? OrderRole.Open : OrderRole.Close;

    /// <summary>Phase 2 is about to change (or has just changed, under the slot's lock) a slot's ids: until phase 3 re-indexes them, the index may trail the slot. Only <see cref="Operations.Operation"/> calls it.</summary>
    internal void OpenIndexWindow() => _book.OpenIndexWindow();

    internal void CloseIndexWindow() => _book.CloseIndexWindow();

    private static string ToBase36(long value)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[16];
        int pos = buffer.Length;
        value = Math.Abs(value);
        do
        {
            buffer[--pos] = digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        return new string(buffer[pos..]);
    }
}
