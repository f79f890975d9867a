using System.Diagnostics.Metrics;
using GridPositions.Actions;
using GridPositions.Book;
using GridPositions.Claims;
using GridPositions.Diagnostics;
using GridPositions.Events;
using GridPositions.Leases;
using GridPositions.Operations;
using GridPositions.Persistence;
using GridPositions.Reconciliation;
using GridPositions.Routing;
using GridPositions.Snapshots;
using GridPositions.Telemetry;
using GridPositions.Wire;
using Microsoft.Extensions.Logging;

namespace GridPositions;

/// <summary>
/// Keeps one inventory slot per grid price level, with <c>orderId -> slot</c> and <c>clientOrderId -> slot</c>
/// indexes, correct under concurrent claims, action results, order updates, leases, reconciliation and snapshots.
/// </summary>
/// <remarks>
/// <para>Every public member is thread-safe (the locks and their order: LOCK_ORDERING.md). Nothing blocking, no callback
/// and no event runs under a lock: events are queued there and raised afterwards on a background task, in order per
/// slot; handlers may call back into the manager.</para>
/// <para>Slots are keyed by integer ticks (price / tick size), so <c>100</c>, <c>100.0</c> and <c>100.00</c> are one
/// level. Money is <see cref="decimal"/> throughout.</para>
/// </remarks>
public sealed class SuperPositionManager : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the <see cref="Meter"/> the manager's instruments belong to (tagged with <c>gridpositions.symbol</c>).</summary>
    public const string MeterName = "GridPositions";

    /// <summary>The snapshot format this version writes and reads.</summary>
    public const uint SnapshotFormatVersion = 1;

    /// <summary>The largest magnitude of any amount the manager accepts (10^15): within it pro-rata cost stays exact and no total overflows. Beyond it a claim is <see cref="ClaimRejection.Invalid"/>, any other input an <see cref="ArgumentException"/> naming the field.</summary>
    public const decimal MaxAmount = Fills.Amounts.Max;

    internal const string LogCategory = "GridPositions.SuperPositionManager";

    private readonly ManagerContext _context; // options, grid, clock, logger, counters
    private readonly SlotBook _book;
    private readonly EventSink _events;
    private readonly StoreLink _store;
    private readonly OperationSinks _sinks;
    private readonly ClaimRules _claims;
    private readonly ResultRules _results;
    private readonly UpdateRouter _updates;
    private readonly CloseRules _close;
    private readonly ModifyRules _modify;
    private readonly SnapshotRules _snapshots;
    private readonly Reconciler _reconciler;
    private readonly InvariantChecker _invariants;
    private readonly Lifetime _lifetime; // instruments and disposal

    /// <summary>Creates an empty manager for the grid described by <paramref name="options"/>.</summary>
    /// <param name="options">The instrument's grid and the manager's bounds.</param>
    /// <param name="timeProvider">The clock for parked-update expiry, leases, claims and snapshot times; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs (category <c>GridPositions.SuperPositionManager</c>), never under a lock; no logging if null.</param>
    /// <param name="meterFactory">Creates the <see cref="MeterName"/> meter for the manager's counters; no metrics if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SuperPositionManager(PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, timeProvider, loggerFactory, clientIdPrefix: null)
    {
        _lifetime.Publish(meterFactory, this, _context);
    }

    private SuperPositionManager(PositionManagerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, string? clientIdPrefix)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy(); // the caller may change theirs later; validate and keep our own
        options.Validate();
        _context = new ManagerContext(options, timeProvider ?? TimeProvider.System, loggerFactory?.CreateLogger(LogCategory));
        _book = new SlotBook(options, clientIdPrefix ?? SlotBook.LineagePrefix(options.ClientOrderIdPrefix, _context.Now));
        _context.Counters.IncludeSlotsOf(_book);
        _events = new EventSink(this, _context.Counters, _context.Log, options.Symbol);
        _snapshots = new SnapshotRules(_context, _book);
        _store = new StoreLink(_context, _book, _snapshots);
        _sinks = new OperationSinks(_book, _events, _store);
        _updates = new UpdateRouter(_context, _book, _sinks);
        _sinks.Attach(_updates);
        _claims = new ClaimRules(_context, _book, _sinks);
        _results = new ResultRules(_context, _book, _sinks, _updates);
        var leases = new LeaseRules(_context, _book, _sinks);
        _close = new CloseRules(_context, _book, _sinks, _claims, leases);
        _modify = new ModifyRules(_context, _book, _sinks, leases);
        _reconciler = new Reconciler(_context, _book, _sinks, _claims, _updates);
        _invariants = new InvariantChecker(_context, _book);
        _lifetime = new Lifetime(_sinks);
        if (_context.Log is { } log)
        {
            ManagerLog.Attach(_events, log, options.Symbol);
        }
    }

    /// <summary>A copy of the options this manager was built with.</summary>
    public PositionManagerOptions Options => _context.Settings.Copy();

    /// <summary>The side that opens a slot's position: buy for a long grid, sell for a short one.</summary>
    public OrderSide OpeningSide => _context.OpeningSide;

    /// <summary>The side that closes a slot's position.</summary>
    public OrderSide ClosingSide => _context.ClosingSide;

    /// <summary>A copy of every counter.</summary>
    public ManagerCounters Counters => _context.Counters.ToPublic();

    /// <summary>How many updates are waiting for their order's mapping.</summary>
    public int ParkedUpdateCount => _book.ParkedCountWithoutLock;

    // ---- Claims, results and updates ---------------------------------------------------------------------------------

    /// <summary>
    /// Claims slots, atomically per slot (of concurrent claims for a free slot exactly one wins): one result per request,
    /// in order, with the <see cref="OrderAction"/> to send or why not. The client order id is indexed (and the claim
    /// durable, on a store) before this returns. An opening place needs a flat slot, a closing one its quantity held, a
    /// cancel a live order; a second request for one slot in a batch is busy; a malformed one is <see cref="ClaimRejection.Invalid"/>.
    /// </summary>
    public IReadOnlyList<ClaimResult> ClaimSlots(IReadOnlyList<ClaimRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return _claims.Claim([.. requests], deferDurability: false, out _); // the caller's lists are read once, never under a lock
    }

    /// <summary>Claims one slot for one request. See <see cref="ClaimSlots"/>.</summary>
    public ClaimResult ClaimSlot(ClaimRequest request) => ClaimSlots([request])[0];

    /// <summary>
    /// Applies the executor's results, each only if its slot still holds the claim it answers (else stale; a stale
    /// success carries the cancel for its orphan): one outcome per result, in order. A place success makes the order
    /// live, a definite failure frees the slot, an ambiguous one leaves it <see cref="SlotStatus.Unknown"/> for an
    /// update or reconciliation. A cancel success keeps the order the slot's until its final update.
    /// </summary>
    /// <exception cref="ArgumentException">A result is malformed (its index is named); nothing was applied.</exception>
    public IReadOnlyList<ResultOutcome> ApplyActionResults(IReadOnlyList<OrderActionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return _results.Apply([.. results]);
    }

    /// <summary>Applies results like <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/> into <paramref name="outcomes"/>; allocates nothing in steady state.</summary>
    /// <exception cref="ArgumentException">A result is malformed (its index is named) or <paramref name="outcomes"/> is shorter than <paramref name="results"/>; nothing was applied.</exception>
    public void ApplyActionResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes) => _results.Apply(results, outcomes);

    /// <summary>
    /// Applies an order update (cumulative quantities; a blank id is no id), routed by order id, then client order id;
    /// one that matches no order is parked (bounded) until its mapping appears, or expires, counted. Only the growth of
    /// the filled quantity is booked, so duplicates and older updates change nothing; an overfill is rejected; a final
    /// status frees the slot, which keeps the inventory its fills booked.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="update"/> is malformed (no ids, unknown status, negative quantities); nothing changed.</exception>
    public InputDisposition OnOrderUpdate(OrderUpdate update) => _updates.OnOrderUpdate(update);

    /// <summary>
    /// Applies one trade of an order from a per-trade stream (Bybit's <c>execution</c>, OKX's fills): as an update that
    /// carries only the trade (<see cref="TradeReport.ToUpdate"/>). A trade id already seen for the order is a
    /// duplicate; the order's fill is booked from its trades or its cumulative reports, whichever is ahead, so the two
    /// streams may race in any order. With <see cref="PositionManagerOptions.FeesPerTrade"/>, trades that fill the whole order finish it. To mix trades into a batch or await
    /// them, pass <see cref="TradeReport.ToUpdate"/> to <see cref="OnOrderUpdates(IReadOnlyList{OrderUpdate})"/> or
    /// <see cref="OnOrderUpdateAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="trade"/> is malformed (no ids, a blank trade id, a quantity or price not positive, a fee from the source <see cref="PositionManagerOptions.FeesPerTrade"/> does not book); nothing changed.</exception>
    public InputDisposition OnTrade(TradeReport trade) => _updates.OnTrade(trade);

    /// <summary>Applies updates in order, each as <see cref="OnOrderUpdate"/> would, as one call whose journal records share one flush (after a crash mid-call, recovery may hold its first few).</summary>
    /// <exception cref="ArgumentException">An update is malformed (its index is named); nothing was applied.</exception>
    public IReadOnlyList<InputDisposition> OnOrderUpdates(IReadOnlyList<OrderUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        return _updates.OnOrderUpdates([.. updates]);
    }

    /// <summary>As <see cref="OnOrderUpdates(IReadOnlyList{OrderUpdate})"/>, into <paramref name="dispositions"/> (at least as long as <paramref name="updates"/>); allocates nothing in steady state.</summary>
    /// <exception cref="ArgumentException">An update is malformed (its index is named) or <paramref name="dispositions"/> is too short; nothing was applied.</exception>
    public void OnOrderUpdates(ReadOnlySpan<OrderUpdate> updates, Span<InputDisposition> dispositions) => _updates.OnOrderUpdates(updates, dispositions, deferDurability: false);

    // The awaited forms apply at once, then complete once durable without blocking the caller. Cancellation ends only the
    // wait (what was applied still reaches the disk); a token already canceled applies nothing. Bad input throws first.

    /// <summary>As <see cref="OnOrderUpdate"/>; completes once the effect is durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<InputDisposition> OnOrderUpdateAsync(OrderUpdate update, CancellationToken cancellationToken = default) => _updates.OnOrderUpdateAsync(update, cancellationToken);

    /// <summary>As <see cref="OnOrderUpdates(IReadOnlyList{OrderUpdate})"/>; completes once the batch is durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<InputDisposition>> OnOrderUpdatesAsync(IReadOnlyList<OrderUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        return _updates.OnOrderUpdatesAsync([.. updates], cancellationToken);
    }

    /// <summary>As <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/>; completes once the results are durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<ResultOutcome>> ApplyActionResultsAsync(IReadOnlyList<OrderActionResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        return _results.ApplyAsync([.. results], cancellationToken);
    }

    /// <summary>As <see cref="ClaimSlots"/>; completes once the claims are durable (send no order before), without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<ClaimResult>> ClaimSlotsAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return _claims.ClaimAsync([.. requests], cancellationToken);
    }

    /// <summary>Expires parked updates older than the time to live now, rather than at the next update.</summary>
    /// <returns>How many expired.</returns>
    public int ExpireParkedUpdates() => _updates.ExpireParked();

    // ---- Leases: close and modify ---------------------------------------------------------------------------------

    /// <summary>
    /// Begins closing one slot's position under an exclusive lease (a concurrent close or modify gets a
    /// <see cref="PositionConflictException"/>) that ends when the slot is flat, on release, or at
    /// <see cref="PositionManagerOptions.LeaseTimeout"/>; strategy claims on the slot are refused meanwhile. Returns the
    /// lease with the claimed cancel of a live order to send first, or flat. Claims taken under the lease end with it.
    /// With <see cref="CloseRequest.ExchangeQuantity"/> the exchange's quantity wins (a mismatch is reported, and closed).
    /// </summary>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    /// <exception cref="ArgumentException">The slot price is off the tick grid, or the exchange quantity is negative, off the quantity step or beyond the bound.</exception>
    public CloseStart BeginClose(CloseRequest request) => _close.Begin(request);

    /// <summary>
    /// Claims the closing order for a close <paramref name="lease"/>: the whole inventory at <paramref name="price"/>, with
    /// no order in flight. Given the exchange's quantity, the slot is set to it first (zero completes the close, no order).
    /// </summary>
    /// <exception cref="LeaseLostException">The lease expired or ended: a late finisher may not close the position.</exception>
    /// <exception cref="OrderInFlightException">The slot still has an order in flight (cancel it with <see cref="ClaimCancel(PositionLease)"/>, or wait for its result).</exception>
    /// <exception cref="ArgumentException">The price or exchange quantity is invalid, or the lease is not a close lease.</exception>
    public CloseOrder ClaimCloseOrder(PositionLease lease, decimal price, decimal? exchangeQuantity = null) => _close.ClaimOrder(lease, price, exchangeQuantity);

    /// <summary>Claims, bound to a close lease, a cancel of an order that went live after the close began; or says why not (nothing to cancel, or busy).</summary>
    /// <exception cref="LeaseLostException">The lease expired or ended.</exception>
    /// <exception cref="ArgumentException">The lease is not a close lease of this manager.</exception>
    public ClaimResult ClaimCancel(PositionLease lease) => _close.ClaimCancel(lease);

    /// <summary>
    /// The emergency flatten: begins a close of every slot with inventory or an order in flight, and of every level where
    /// the exchange (<paramref name="exchangeQuantities"/>, by slot price) holds a position the books do not. Slots held
    /// by another caller are reported, not waited for. All is validated first: a bad entry starts no close at all.
    /// </summary>
    /// <exception cref="ArgumentException">A price in <paramref name="exchangeQuantities"/> is off the tick grid, or a quantity is invalid (both named).</exception>
    public FlattenPlan CloseAll(IReadOnlyDictionary<decimal, decimal>? exchangeQuantities = null) => _close.CloseAll(exchangeQuantities, GetSlots());

    /// <summary>Begins changing a position's stop-loss and take-profit under an exclusive lease (dispose it to abandon); validated now and at <see cref="CompleteModify"/>.</summary>
    /// <exception cref="ArgumentException">A target is off the tick grid or on the wrong side of the entry price (long: stop-loss below, take-profit above; short: the reverse), neither is given, or the reason is blank.</exception>
    /// <exception cref="InvalidOperationException">The slot holds no position.</exception>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    public PositionLease BeginModify(ModifyRequest request) => _modify.Begin(request);

    /// <summary>Commits the targets of a modify lease (re-validated against the position now), ends the lease and returns the recorded change.</summary>
    /// <exception cref="LeaseLostException">The lease expired or ended: a late finisher may not overwrite targets another caller now owns.</exception>
    /// <exception cref="InvalidOperationException">The targets no longer fit the position's entry price (the lease is kept), or the position was closed (the lease is ended).</exception>
    public TargetChange CompleteModify(PositionLease lease) => _modify.Complete(lease);

    /// <summary>Changes a position's targets in one step (<see cref="BeginModify"/> then <see cref="CompleteModify"/>).</summary>
    public TargetChange ModifyTargets(ModifyRequest request)
    {
        using PositionLease lease = BeginModify(request);
        return CompleteModify(lease);
    }

    /// <summary>The accepted target changes of the position at <paramref name="slotPrice"/>, oldest first (the last 32).</summary>
    public IReadOnlyList<TargetChange> GetTargetHistory(decimal slotPrice) => _modify.History(slotPrice);

    // ---- Reconciliation ---------------------------------------------------------------------------------------------

    /// <summary>Marks the start of a reconciliation: fetch the exchange's state after it and pass both to <see cref="Reconcile"/>.</summary>
    public ReconciliationTicket BeginReconciliation() => _reconciler.Begin();

    /// <summary>
    /// Fixes what differs from the exchange, exactly once (twice changes nothing more): missed fills are booked, orders
    /// that ended unheard are ended, an ambiguous place is adopted by its client id or freed after its grace period, an
    /// unknown order with our prefix is adopted by a free slot; foreign orders are reported only. Overdue claims lapse
    /// first. Slots that changed after <paramref name="ticket"/>, await a result or are leased are <see cref="FindingKind.Deferred"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The ticket is not this manager's, the snapshot predates it, or an exchange order is malformed (named by its index).</exception>
    public ReconciliationReport Reconcile(ReconciliationTicket ticket, ExchangeSnapshot exchange) => _reconciler.Reconcile(ticket, exchange);

    // ---- Reads, invariants and events -------------------------------------------------------------------------------

    /// <summary>A copy of the slot at <paramref name="price"/>, or null if no slot was ever created there.</summary>
    /// <exception cref="ArgumentException"><paramref name="price"/> is not positive or not on the tick grid.</exception>
    public SlotView? GetSlot(decimal price) => _snapshots.View(price);

    /// <summary>A copy of every slot, by ascending price. Each slot is copied atomically; the list is not one instant.</summary>
    public IReadOnlyList<SlotView> GetSlots() => _snapshots.Views();

    /// <summary>Inventory and realised profit summed over all slots (each slot read atomically).</summary>
    public PositionTotals GetTotals() => _snapshots.Totals();

    /// <summary>Every held position valued at <paramref name="markPrice"/>: unrealised profit and break-even price per slot and in total.</summary>
    /// <param name="markPrice">The price to value the inventory at.</param>
    /// <param name="feeRates">
    /// Optional prices in the quote asset of the other assets fees were paid in (<c>BNB</c> to 600), keys compared
    /// ignoring case: with a rate for each, <see cref="PositionValuation.OtherFeesInQuote"/> is their sum in the quote asset.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="markPrice"/> is not positive or is beyond <see cref="MaxAmount"/>, or values an inventory beyond it; or a rate in <paramref name="feeRates"/> is.</exception>
    public PositionValuation GetValuation(decimal markPrice, IReadOnlyDictionary<string, decimal>? feeRates = null) => _snapshots.Value(markPrice, feeRates);

    /// <summary>Verifies the invariants (each slot consistent, no id in two slots, parked updates accounted for, indexes match) and names the first one broken.</summary>
    public InvariantCheckResult CheckInvariants() => _invariants.Check();

    /// <summary>A slot's status, order or position changed.</summary>
    public event EventHandler<SlotChangedEventArgs>? SlotChanged { add => _events.SlotChanged += value; remove => _events.SlotChanged -= value; }

    /// <summary>A fill was booked (the growth of an order's cumulative fill, once).</summary>
    public event EventHandler<FillAppliedEventArgs>? FillApplied { add => _events.FillApplied += value; remove => _events.FillApplied -= value; }

    /// <summary>A slot closed its position back to flat.</summary>
    public event EventHandler<RoundTripCompletedEventArgs>? RoundTripCompleted { add => _events.RoundTripCompleted += value; remove => _events.RoundTripCompleted -= value; }

    /// <summary>A position's stop-loss or take-profit changed (<see cref="CompleteModify"/>).</summary>
    public event EventHandler<TargetsChangedEventArgs>? TargetsChanged { add => _events.TargetsChanged += value; remove => _events.TargetsChanged -= value; }

    /// <summary>An update or result was rejected as contradicting the manager's state (overfill, conflicting ids...).</summary>
    public event EventHandler<InputRejectedEventArgs>? InputRejected { add => _events.InputRejected += value; remove => _events.InputRejected -= value; }

    /// <summary>A close or modify lease expired before its holder finished (raised once per lease, when noticed).</summary>
    public event EventHandler<LeaseExpiredEventArgs>? LeaseExpired { add => _events.LeaseExpired += value; remove => _events.LeaseExpired -= value; }

    /// <summary>A parked update never found its order.</summary>
    public event EventHandler<UpdateExpiredEventArgs>? UpdateExpired { add => _events.UpdateExpired += value; remove => _events.UpdateExpired -= value; }

    /// <summary>Completes when every event raised before the call has been delivered to the subscribers.</summary>
    public Task FlushEventsAsync() => _events.FlushAsync();

    /// <summary>Every event from the first read on, in publication order, until disposal. A reader more than <paramref name="capacity"/> behind gets what was buffered, then an <see cref="InvalidOperationException"/>, never a silent gap.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public IAsyncEnumerable<PositionEventArgs> ReadEventsAsync(int capacity = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return EventStream.Read(_events, capacity, cancellationToken);
    }

    // ---- Snapshots and the store --------------------------------------------------------------------------------------

    /// <summary>A deep copy of the manager (each slot copied atomically, parked updates, counters, id sequences; not the indexes, which restore rebuilds).</summary>
    public PositionManagerSnapshot CreateSnapshot() => _snapshots.Create();

    /// <summary>Builds a manager (as the constructor) from a snapshot for the same symbol and direction: slots re-keyed by tick, indexes rebuilt, invariants checked.</summary>
    /// <exception cref="ArgumentException">The snapshot does not fit the options, is damaged (a missing, malformed or out-of-range field, named by its path such as <c>snapshot.Slots[3].Order.Quantity</c>), names one level twice, gives one order id to two slots, or breaks an invariant.</exception>
    public static SuperPositionManager Restore(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        SuperPositionManager manager = RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory);
        manager._lifetime.Publish(meterFactory, manager, manager._context);
        return manager;
    }

    /// <summary>
    /// Opens a manager (as the constructor) on a store (<see cref="FilePositionStore"/> is the embedded one): recovers
    /// the latest snapshot plus the journal after it, checked as <see cref="Restore"/>, then journals every change, each
    /// durable before its call returns unless the store's durability is <see cref="Durability.None"/>. After recovery a
    /// place with no result is <see cref="SlotStatus.Unknown"/>, a cancel with none gives its order back; a torn last
    /// record is cut, counted and logged. Leases, parked updates and counters are kept as of the last checkpoint.
    /// </summary>
    /// <exception cref="StoreCorruptedException">The store is damaged other than by a torn last record.</exception>
    /// <exception cref="StoreLockedException">Another manager already owns <paramref name="store"/>: a store has one owner.</exception>
    /// <exception cref="InvalidOperationException">The store's <see cref="IPositionStore.Recover"/> returned null.</exception>
    /// <exception cref="ArgumentException">The recovered state does not fit <paramref name="options"/> or breaks an invariant.</exception>
    public static SuperPositionManager Open(IPositionStore store, PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        StoreLink.Claim(store);
        try
        {
            StoreRecovery recovered = store.Recover() ?? throw new InvalidOperationException($"The store ({store}) returned no recovery from Recover.");
            SuperPositionManager manager = RecoveredState.Replay(recovered) is { } snapshot
                ? RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory)
                : new SuperPositionManager(options, timeProvider, loggerFactory, clientIdPrefix: null);
            manager._store.Opened(store, recovered, manager._claims);
            manager._lifetime.Publish(meterFactory, manager, manager._context);
            return manager;
        }
        catch
        {
            StoreLink.Release(store); // nothing owns it: the caller may fix what was wrong and open it again
            throw;
        }
    }

    /// <summary>Writes a snapshot to the store, which drops the journal before it; runs by itself every <see cref="PositionManagerOptions.CheckpointEveryRecords"/> records.</summary>
    /// <exception cref="InvalidOperationException">The manager was not opened on a store.</exception>
    public void Checkpoint()
    {
        _sinks.ThrowIfClosed();
        _store.Checkpoint();
    }

    /// <summary>
    /// Ends the manager once the calls in flight have returned: what it recorded becomes durable, a last checkpoint frees
    /// the store for reopening, the events raised are delivered and its instruments stop reporting. Afterwards a call
    /// that would change state throws <see cref="ObjectDisposedException"/>; reads still work. A second call does nothing.
    /// </summary>
    /// <exception cref="PersistenceFailedException">The last records or the checkpoint could not be written (the store is still given back).</exception>
    public ValueTask DisposeAsync() => _lifetime.DisposeAsync();

    /// <summary>As <see cref="DisposeAsync"/>, on the calling thread, except that it does not wait for the events raised to be delivered (they still are).</summary>
    /// <exception cref="PersistenceFailedException">The last records or the checkpoint could not be written (the store is still given back).</exception>
    public void Dispose() => _lifetime.Dispose();

    // ---- Test seams: each owner, for tests that break or inspect one on purpose -------------------------------------

    internal SlotBook Book => _book;

    internal CounterSet CounterSet => _context.Counters;

    internal EventSink Events => _events;

    internal ClaimRules Claims => _claims;

    /// <summary>Whether the journal failed (for the health check): the manager then refuses every durable change.</summary>
    internal bool DurabilityFailed => _store.Journal?.HasFailed ?? false;

    internal bool IsDisposed => _lifetime.IsDisposed;

    internal TimeProvider Time => _context.Time;

    private static SuperPositionManager RestoreWithoutMetrics(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        SnapshotRules.CheckFits(snapshot, options);
        var manager = new SuperPositionManager(options, timeProvider, loggerFactory, SnapshotRules.PrefixOf(snapshot));
        manager._snapshots.Restore(snapshot, manager._sinks, manager._invariants);
        return manager;
    }
}
