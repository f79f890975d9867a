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
    private IMeterFactory? _meterFactory; // instruments are registered once the manager is whole (RegisterMetrics)
    private Metrics.Registration? _metrics;
    private int _disposed;

    /// <summary>Creates an empty manager for the grid described by <paramref name="options"/>.</summary>
    /// <param name="options">The instrument's grid and the manager's bounds.</param>
    /// <param name="timeProvider">The clock for parked-update expiry, leases, claims and snapshot times; <see cref="TimeProvider.System"/> by default.</param>
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
        if (_context.Log is { } log)
        {
            ManagerLog.Attach(_events, log, options.Symbol);
        }

        _meterFactory = meterFactory;
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
    /// Claims slots for order actions: each accepted request returns the <see cref="OrderAction"/> to send, with its
    /// claim token and client order id; each refused one says why. The client order id is indexed (and the claim is
    /// durable, on a store) before this returns, so an update that beats the place result still finds its slot.
    /// </summary>
    /// <param name="requests">Place or cancel requests. Two requests for one slot in a batch: the second is refused as busy.</param>
    /// <returns>One result per request, in order.</returns>
    /// <remarks>
    /// Check and claim are one atomic step per slot: of concurrent claims for a free slot exactly one wins. An opening
    /// place needs a flat slot, a closing one at least its quantity held, a cancel a live order. A malformed request is
    /// refused (<see cref="ClaimRejection.Invalid"/>) and changes nothing.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="requests"/> is null.</exception>
    public IReadOnlyList<ClaimResult> ClaimSlots(IReadOnlyList<ClaimRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return _claims.Claim([.. requests], deferDurability: false, out _); // the caller's list is read here, never under a lock
    }

    /// <summary>Claims one slot for one request. See <see cref="ClaimSlots"/>.</summary>
    public ClaimResult ClaimSlot(ClaimRequest request) => ClaimSlots([request])[0];

    /// <summary>
    /// Applies the executor's results for claimed actions, in three phases: resolve each to its slot under the book's
    /// lock; apply it under its slot's lock only if the slot still holds the claim token it answers; re-index.
    /// </summary>
    /// <param name="results">Results for actions returned by <see cref="ClaimSlots"/>.</param>
    /// <returns>One outcome per result, in order. A stale success carries the cancel to issue for its orphaned order.</returns>
    /// <remarks>
    /// Place success makes the order live and indexes its id. A definite place failure frees the slot; an ambiguous
    /// one (timeout) leaves it <see cref="SlotStatus.Unknown"/> until an update or reconciliation resolves it. A cancel
    /// success leaves the order the slot's until its terminal update (fills may still arrive); a cancel failure keeps
    /// the order live. Results for a claim the slot no longer holds change nothing and are reported stale.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is null.</exception>
    /// <exception cref="ArgumentException">A result is malformed (its index is named); nothing was applied.</exception>
    public IReadOnlyList<ResultOutcome> ApplyActionResults(IReadOnlyList<OrderActionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        OrderActionResult[] batch = [.. results]; // read the caller's list once, before any lock
        var outcomes = new ResultOutcome[batch.Length];
        _results.Apply(batch, outcomes);
        return outcomes;
    }

    /// <summary>Applies results like <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/> into <paramref name="outcomes"/>; allocates nothing in steady state.</summary>
    /// <param name="results">Results for actions returned by <see cref="ClaimSlots"/>. Read before any lock is taken: do not change them during the call.</param>
    /// <param name="outcomes">Receives one outcome per result; at least as long as <paramref name="results"/>.</param>
    /// <exception cref="ArgumentException">A result is malformed (its index is named) or <paramref name="outcomes"/> is too short; nothing was applied.</exception>
    public void ApplyActionResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes) => _results.Apply(results, outcomes);

    /// <summary>
    /// Applies an order update from the exchange's stream. Routed by order id, then client order id; an update that
    /// matches no known order is parked (bounded) until its mapping appears, or expires with a counted outcome.
    /// </summary>
    /// <param name="update">The update. Quantities are cumulative; a blank id is no id.</param>
    /// <returns>What became of the update.</returns>
    /// <remarks>
    /// Only the growth of the cumulative filled quantity is booked, so duplicate and older updates change nothing.
    /// An update reporting more filled than the order's quantity is rejected (<see cref="ManagerCounters.Overfills"/>).
    /// FILLED, CANCELED, REJECTED and EXPIRED are final and free the slot, which keeps any inventory the order's fills
    /// booked. An update for an order the slot no longer has is stale and ignored.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="update"/> is malformed (no ids, unknown status, negative quantities); nothing changed.</exception>
    public InputDisposition OnOrderUpdate(OrderUpdate update) => _updates.OnOrderUpdate(update);

    /// <summary>Applies updates in order, each as <see cref="OnOrderUpdate"/> would, as one call whose journal records share one flush.</summary>
    /// <returns>What became of each update, in order.</returns>
    /// <remarks>After a crash before the call returned, recovery may hold its first few updates, as if they had been sent one by one.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> is null.</exception>
    /// <exception cref="ArgumentException">An update is malformed (its index is named); nothing was applied.</exception>
    public IReadOnlyList<InputDisposition> OnOrderUpdates(IReadOnlyList<OrderUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var dispositions = new InputDisposition[updates.Count];
        _updates.OnOrderUpdates([.. updates], dispositions, deferDurability: false);
        return dispositions;
    }

    /// <summary>As <see cref="OnOrderUpdates(IReadOnlyList{OrderUpdate})"/>, into <paramref name="dispositions"/> (at least as long as <paramref name="updates"/>); allocates nothing in steady state.</summary>
    /// <exception cref="ArgumentException">An update is malformed (its index is named) or <paramref name="dispositions"/> is too short; nothing was applied.</exception>
    public void OnOrderUpdates(ReadOnlySpan<OrderUpdate> updates, Span<InputDisposition> dispositions) => _updates.OnOrderUpdates(updates, dispositions, deferDurability: false);

    // The awaited forms apply at once, as their synchronous forms do, then complete when the effect is durable without
    // blocking the caller (the fsync runs on a pool thread). Cancellation ends only the wait: what was applied stays
    // applied and still reaches the disk. A token already canceled applies nothing (the task is canceled). Bad input
    // throws before any change.

    /// <summary>As <see cref="OnOrderUpdate"/>; completes once the effect is durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<InputDisposition> OnOrderUpdateAsync(OrderUpdate update, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<InputDisposition>(cancellationToken);
        }

        Span<InputDisposition> disposition = stackalloc InputDisposition[1];
        ulong durableAt = _updates.OnOrderUpdates(new ReadOnlySpan<OrderUpdate>(in update), disposition, deferDurability: true);
        return WhenDurable(disposition[0], durableAt, cancellationToken);
    }

    /// <summary>As <see cref="OnOrderUpdates(IReadOnlyList{OrderUpdate})"/>; completes once the batch is durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<InputDisposition>> OnOrderUpdatesAsync(IReadOnlyList<OrderUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<InputDisposition>>(cancellationToken);
        }

        var dispositions = new InputDisposition[updates.Count];
        ulong durableAt = _updates.OnOrderUpdates([.. updates], dispositions, deferDurability: true);
        return WhenDurable<IReadOnlyList<InputDisposition>>(dispositions, durableAt, cancellationToken);
    }

    /// <summary>As <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/>; completes once the results are durable, without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<ResultOutcome>> ApplyActionResultsAsync(IReadOnlyList<OrderActionResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<ResultOutcome>>(cancellationToken);
        }

        OrderActionResult[] batch = [.. results];
        var outcomes = new ResultOutcome[batch.Length];
        ulong durableAt = _results.Apply(batch, outcomes, deferDurability: true);
        return WhenDurable<IReadOnlyList<ResultOutcome>>(outcomes, durableAt, cancellationToken);
    }

    /// <summary>As <see cref="ClaimSlots"/>; completes once the claims are durable (send no order before), without blocking the calling thread.</summary>
    /// <exception cref="PersistenceFailedException">The journal could not be written (in the returned task).</exception>
    public ValueTask<IReadOnlyList<ClaimResult>> ClaimSlotsAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<ClaimResult>>(cancellationToken);
        }

        ClaimResult[] claimed = _claims.Claim([.. requests], deferDurability: true, out ulong durableAt);
        return WhenDurable<IReadOnlyList<ClaimResult>>(claimed, durableAt, cancellationToken);
    }

    /// <summary>Expires parked updates older than the time to live now, rather than at the next update.</summary>
    /// <returns>How many expired.</returns>
    public int ExpireParkedUpdates() => _updates.ExpireParked();

    // ---- Leases: close and modify ---------------------------------------------------------------------------------

    /// <summary>
    /// Begins closing one slot's position, exclusively: concurrent closes (and modifies) of it get a
    /// <see cref="PositionConflictException"/> until this close completes, is released, or its lease expires
    /// (<see cref="PositionManagerOptions.LeaseTimeout"/>; <see cref="PositionLease.Renew"/> extends it).
    /// </summary>
    /// <returns>Started, with the lease and, if the slot had a live order, the already claimed cancel to send first; or already flat (no lease).</returns>
    /// <remarks>
    /// <para>While the lease is held, strategy claims on the slot are refused (<see cref="ClaimRejection.PositionLeased"/>).
    /// With no order in flight, claim the closing order (<see cref="ClaimCloseOrder"/>); cancel an order that went live
    /// meanwhile with <see cref="ClaimCancel(PositionLease)"/>. The lease completes by itself when the slot is flat.</para>
    /// <para>Claims taken under the lease end with it: an unanswered cancel gives the order back, an unanswered closing
    /// place becomes <see cref="SlotStatus.Unknown"/>. With <see cref="CloseRequest.ExchangeQuantity"/> the exchange's
    /// truth wins: a position it holds where the books are flat is reported as a mismatch and closed.</para>
    /// </remarks>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    /// <exception cref="ArgumentException">The slot price is off the tick grid, or the exchange quantity is negative, off the quantity step or beyond the bound.</exception>
    public CloseStart BeginClose(CloseRequest request) => _close.Begin(request);

    /// <summary>Claims the closing order for a close lease: the whole inventory, at <paramref name="price"/>. The slot must have no order in flight.</summary>
    /// <param name="lease">The close lease from <see cref="BeginClose"/>.</param>
    /// <param name="price">The closing order's limit price (on the tick grid).</param>
    /// <param name="exchangeQuantity">The exchange's quantity for this position, if checked: the slot is set to it first, and zero completes the close without an order.</param>
    /// <returns>The closing order to send (claimed like any other), or none when the position is flat.</returns>
    /// <exception cref="LeaseLostException">The lease expired or ended: a late finisher may not close the position.</exception>
    /// <exception cref="OrderInFlightException">The slot still has an order in flight (cancel it with <see cref="ClaimCancel(PositionLease)"/>, or wait for its result).</exception>
    /// <exception cref="ArgumentException">The price or exchange quantity is invalid, or the lease is not a close lease.</exception>
    public CloseOrder ClaimCloseOrder(PositionLease lease, decimal price, decimal? exchangeQuantity = null) => _close.ClaimOrder(lease, price, exchangeQuantity);

    /// <summary>Claims a cancel of the slot's live order for the holder of a close lease (an order that went live after the close began); the claim is bound to the lease.</summary>
    /// <param name="lease">The close lease from <see cref="BeginClose"/>.</param>
    /// <returns>The claimed cancel to send, or why there is none (<see cref="ClaimRejection.NothingToCancel"/>, or <see cref="ClaimRejection.SlotBusy"/> while a place result or a cancel is pending).</returns>
    /// <exception cref="LeaseLostException">The lease expired or ended.</exception>
    /// <exception cref="ArgumentException">The lease is not a close lease of this manager.</exception>
    public ClaimResult ClaimCancel(PositionLease lease) => _close.ClaimCancel(lease);

    /// <summary>
    /// The emergency flatten: begins a close of every slot that holds inventory or has an order in flight, and of every
    /// level where the exchange holds a position the books do not. Slots another caller holds are reported, not waited for.
    /// </summary>
    /// <param name="exchangeQuantities">The exchange's quantity per slot price, where the caller checked.</param>
    /// <remarks>The whole request is validated before anything starts: a bad price or quantity starts no close at all.</remarks>
    /// <exception cref="ArgumentException">A price in <paramref name="exchangeQuantities"/> is off the tick grid, or a quantity is invalid (both named).</exception>
    public FlattenPlan CloseAll(IReadOnlyDictionary<decimal, decimal>? exchangeQuantities = null) => _close.CloseAll(exchangeQuantities, GetSlots());

    /// <summary>
    /// Begins changing a position's stop-loss and take-profit, exclusively (a concurrent close or modify gets a
    /// <see cref="PositionConflictException"/>). Validated now and again at <see cref="CompleteModify"/>.
    /// </summary>
    /// <returns>The modify lease; dispose it if the change is abandoned.</returns>
    /// <exception cref="ArgumentException">A target is off the tick grid or on the wrong side of the entry price (long: stop-loss below, take-profit above; short: the reverse), neither is given, or the reason is blank.</exception>
    /// <exception cref="InvalidOperationException">The slot holds no position.</exception>
    /// <exception cref="PositionConflictException">The position is already being closed or modified.</exception>
    public PositionLease BeginModify(ModifyRequest request) => _modify.Begin(request);

    /// <summary>Commits the targets of a modify lease (re-validated against the position now) and ends the lease.</summary>
    /// <returns>The recorded change, with its reason and time.</returns>
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

    /// <summary>
    /// Marks the start of a reconciliation. Fetch the exchange's state after this call and pass both to
    /// <see cref="Reconcile"/>: any slot that changes in between is left alone (reported deferred).
    /// </summary>
    public ReconciliationTicket BeginReconciliation() => _reconciler.Begin();

    /// <summary>
    /// Compares the slots with the exchange's state and fixes what can be fixed, exactly once: missed fills are booked
    /// (by cumulative quantity), orders that finished unheard are finished, an ambiguous place is adopted by its client
    /// order id or freed after <see cref="PositionManagerOptions.AmbiguousPlaceGracePeriod"/>, and unknown open orders
    /// with our prefix are adopted by a free slot at their price. Foreign orders are reported, never touched. Claims
    /// past <see cref="PositionManagerOptions.PendingClaimTimeout"/> (or their lease) lapse first.
    /// </summary>
    /// <remarks>
    /// Slots that changed after <paramref name="ticket"/>, await a place result, or are leased are reported
    /// <see cref="FindingKind.Deferred"/>. Each slot is reconciled under its own lock like an update; the book's lock is
    /// never held for the whole pass. Reconciling the same snapshot twice changes nothing the second time.
    /// </remarks>
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

    /// <summary>
    /// Verifies the invariants and names the first one broken: each slot's order and position are self-consistent
    /// (inventory = opened - closed, never negative; realised profit = its closing fills' sum; fills within the order), no
    /// id belongs to two slots, every parked update is accounted for, and the indexes match the slots. Safe at any time.
    /// </summary>
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

    /// <summary>A parked update never found its order.</summary>
    public event EventHandler<UpdateExpiredEventArgs>? UpdateExpired { add => _events.UpdateExpired += value; remove => _events.UpdateExpired -= value; }

    /// <summary>Completes when every event raised before the call has been delivered to the subscribers.</summary>
    public Task FlushEventsAsync() => _events.FlushAsync();

    /// <summary>
    /// Every event from the first read on, in publication order (<see cref="PositionEventArgs.Sequence"/>), as one
    /// stream; it ends when the manager is disposed. Up to <paramref name="capacity"/> events wait for the reader; a
    /// reader further behind gets what was buffered, then an <see cref="InvalidOperationException"/> (never a silent gap).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public IAsyncEnumerable<PositionEventArgs> ReadEventsAsync(int capacity = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return EventStream.Read(_events, capacity, cancellationToken);
    }

    // ---- Snapshots and the store --------------------------------------------------------------------------------------

    /// <summary>
    /// A deep copy of the manager: every slot (each copied atomically under its lock), the parked updates, the counters
    /// and the id sequences. Nothing in it is shared with the manager. The indexes are left out; restore rebuilds them.
    /// </summary>
    public PositionManagerSnapshot CreateSnapshot() => _snapshots.Create();

    /// <summary>
    /// Builds a manager from a snapshot: slots are re-keyed from their prices (so <c>"100.00"</c> and <c>"100"</c> are
    /// one level), both indexes are rebuilt from the slots' orders, and the result must pass <see cref="CheckInvariants"/>.
    /// </summary>
    /// <param name="snapshot">A snapshot from <see cref="CreateSnapshot"/>.</param>
    /// <param name="options">The grid to restore into: same symbol and direction; every slot price must be on its tick grid.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs; no logging if null.</param>
    /// <param name="meterFactory">Creates the manager's meter; no metrics if null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The snapshot does not fit the options, is damaged (a missing, malformed or out-of-range field, named by its path such as <c>snapshot.Slots[3].Order.Quantity</c>), names one level twice, gives one order id to two slots, or breaks an invariant.</exception>
    public static SuperPositionManager Restore(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        SuperPositionManager manager = RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory, meterFactory);
        manager.RegisterMetrics();
        return manager;
    }

    /// <summary>
    /// Opens a manager on a store: recovers the latest snapshot plus the journal after it (restored and checked like
    /// <see cref="Restore"/>), then records every later change there.
    /// </summary>
    /// <remarks>
    /// <para>Unless the store's durability is <see cref="Durability.None"/> (durable at <see cref="Checkpoint"/> only), every
    /// call that changes a slot returns once its effect is durable: a claim is on disk before its order may be sent. Not
    /// journaled: leases, parked updates and counters (as of the latest checkpoint).</para>
    /// <para>After recovery a place with no result is <see cref="SlotStatus.Unknown"/> (for reconciliation) and a cancel
    /// with no result gives its order back as <see cref="SlotStatus.Live"/>. A torn last record recovery cut off is
    /// counted in <see cref="ManagerCounters.TornTailsCut"/> and logged.</para>
    /// </remarks>
    /// <param name="store">Where the manager's state is kept; <see cref="FilePositionStore"/> is the embedded one.</param>
    /// <param name="options">The grid; it must match the recovered state's symbol and direction.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs; no logging if null.</param>
    /// <param name="meterFactory">Creates the manager's meter; no metrics if null.</param>
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
                ? RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory, meterFactory)
                : new SuperPositionManager(options, timeProvider, loggerFactory, meterFactory, clientIdPrefix: null);
            int lapsed = manager._store.Opened(store, recovered, manager._claims);
            manager.RegisterMetrics();
            if (manager._context.Log is { } log)
            {
                ManagerLog.Opened(log, manager._context.Settings.Symbol, store, manager._book.Count, manager.GetTotals().Inventory, manager.ParkedUpdateCount, recovered.TornTail, lapsed);
            }

            return manager;
        }
        catch
        {
            StoreLink.Release(store); // nothing owns it: the caller may fix what was wrong and open it again
            throw;
        }
    }

    /// <summary>
    /// Writes a snapshot to the store and lets it drop the journal before it, so disk use stays bounded. Runs by
    /// itself every <see cref="PositionManagerOptions.CheckpointEveryRecords"/> journal records.
    /// </summary>
    /// <exception cref="InvalidOperationException">The manager was not opened on a store.</exception>
    public void Checkpoint()
    {
        _sinks.ThrowIfClosed();
        _store.Checkpoint();
    }

    /// <summary>
    /// Ends the manager once the calls in flight have returned: everything it recorded becomes durable and a last
    /// checkpoint is written (on a store, which is then free to be opened again), the events raised are delivered, and
    /// its instruments stop reporting. Afterwards every call that would change state throws
    /// <see cref="ObjectDisposedException"/>; reads still work. A second call does nothing.
    /// </summary>
    /// <exception cref="PersistenceFailedException">The last records or the checkpoint could not be written (the store is still given back).</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                await Task.Run(Close).ConfigureAwait(false); // the last flush and checkpoint block a pool thread, not the caller
            }
            finally
            {
                await _events.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, on the calling thread, except that it does not wait for the events raised to be delivered (they still are).</summary>
    /// <exception cref="PersistenceFailedException">The last records or the checkpoint could not be written (the store is still given back).</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                Close();
            }
            finally
            {
                _ = _events.CloseAsync(); // event streams end once what is queued is delivered, without waiting here
            }
        }
    }

    private void Close()
    {
        _sinks.Close();
        try
        {
            _store.Close();
        }
        finally
        {
            _metrics?.Retire();
        }
    }

    // ---- Test seams: each owner, for tests that break or inspect one on purpose -------------------------------------

    internal SlotBook Book => _book;

    internal CounterSet CounterSet => _context.Counters;

    internal EventSink Events => _events;

    internal ClaimRules Claims => _claims;

    /// <summary>Whether the journal failed (for the health check): the manager then refuses every durable change.</summary>
    internal bool DurabilityFailed => _store.Journal?.HasFailed ?? false;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal TimeProvider Time => _context.Time;

    private static SuperPositionManager RestoreWithoutMetrics(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        SnapshotRules.CheckFits(snapshot, options);
        string? prefix = string.IsNullOrEmpty(snapshot.ClientOrderIdPrefix) ? null : snapshot.ClientOrderIdPrefix;
        var manager = new SuperPositionManager(options, timeProvider, loggerFactory, meterFactory, prefix);
        Operation op = manager._sinks.Begin();
        manager._snapshots.Load(snapshot, ref op);
        InvariantCheckResult check = manager.CheckInvariants();
        if (!check.Holds)
        {
            throw new ArgumentException($"The snapshot breaks an invariant: {check.Violation}", nameof(snapshot));
        }

        // A snapshot taken between a result's phase 2 and 3 can hold an update parked for an id its slot now has.
        op.Dispose();
        return manager;
    }

    private ValueTask<T> WhenDurable<T>(T value, ulong durableAt, CancellationToken cancellationToken)
    {
        ValueTask durable = _sinks.AwaitDurableAsync(durableAt, cancellationToken);
        return durable.IsCompletedSuccessfully ? new ValueTask<T>(value) : Awaited(durable, value);

        static async ValueTask<T> Awaited(ValueTask durable, T value)
        {
            await durable.ConfigureAwait(false);
            return value;
        }
    }

    /// <summary>Publishes the instruments, last, so a manager that failed to restore or open leaves none behind in the caller's factory.</summary>
    private void RegisterMetrics()
    {
        if (_meterFactory is { } factory)
        {
            _meterFactory = null;
            _metrics = Metrics.Register(factory, this, _context.Settings.Symbol, _context.Settings.Direction);
        }
    }
}
