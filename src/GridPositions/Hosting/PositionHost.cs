using System.Diagnostics.Metrics;
using GridPositions.Routing;
using GridPositions.Telemetry;
using Microsoft.Extensions.Logging;

namespace GridPositions.Hosting;

/// <summary>
/// Runs many managers in one process, one per (account, symbol, direction), each on its own store: opens (recovers)
/// them together, routes order updates to them by key or by client order id prefix, counts what it cannot route, and
/// ends them together with a last flush and checkpoint.
/// </summary>
/// <remarks>
/// The host takes no state lock: its table of managers is built once by <see cref="Open"/> and never changes; its counters
/// are atomic. Every manager keeps its own guarantees; the host adds none across managers.
/// </remarks>
public sealed class PositionHost : IAsyncDisposable, IDisposable
{
    internal const string LogCategory = "GridPositions.PositionHost";

    private readonly PositionHostOptions _options;
    private readonly TimeProvider? _time;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMeterFactory? _meterFactory;
    private readonly ILogger? _log;
    private readonly ManagerKey[] _keys;

    // One open at a time, held across its I/O by design (as the checkpoint gate is): not a state lock, and no manager
    // lock is ever held while it is taken. Never disposed: it never allocates a wait handle.
    private readonly SemaphoreSlim _opening = new(1, 1);
    private Opened? _opened; // null until Open succeeds; never changes after
    private Task? _ending; // the one disposal
    private int _state; // 0 new, 1 opening, 2 open, 3 disposed
    private long _routed, _unknownKey, _noClientOrderId, _unknownPrefix;

    /// <summary>A host for the managers of <paramref name="options"/> (copied and validated now); call <see cref="Open"/> to start them.</summary>
    /// <param name="options">The managers and their stores.</param>
    /// <param name="timeProvider">Every manager's clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the host and its managers log; no logging if null.</param>
    /// <param name="meterFactory">Creates the managers' meters (tagged with their symbol and direction); no metrics if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (<see cref="PositionHostOptions.Validate"/>).</exception>
    public PositionHost(PositionHostOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Copy();
        _options.Validate();
        _keys = [.. _options.Managers.Keys];
        _time = timeProvider;
        _loggerFactory = loggerFactory;
        _meterFactory = meterFactory;
        _log = loggerFactory?.CreateLogger(LogCategory);
        if (meterFactory is not null)
        {
            PublishInstruments(meterFactory);
        }
    }

    /// <summary>The keys of the host's managers.</summary>
    public IReadOnlyList<ManagerKey> Keys => _keys;

    /// <summary>Whether <see cref="Open"/> succeeded and the host is not disposed.</summary>
    public bool IsOpen => Volatile.Read(ref _state) == 2;

    /// <summary>A copy of the routing counters.</summary>
    public HostCounters Counters => new(Interlocked.Read(ref _routed), Interlocked.Read(ref _unknownKey), Interlocked.Read(ref _noClientOrderId), Interlocked.Read(ref _unknownPrefix));

    /// <summary>
    /// Opens every manager: recovers each from its store (see <see cref="SuperPositionManager.Open"/>), or creates it
    /// empty without one, and logs what each recovered. All or nothing: if one fails, those already opened are ended
    /// (their stores given back) and the error is thrown, and the host can be opened again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host is open already, or two recovered managers' client order ids would not route apart.</exception>
    /// <exception cref="ObjectDisposedException">The host is disposed.</exception>
    public void Open()
    {
        _opening.Wait();
        try
        {
            OpenCore();
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>
    /// Opens the host unless it is open already, waiting for an open under way: what the hosted service and the keyed
    /// managers' registrations call, so a service that takes a manager in its constructor (built before any hosted
    /// service starts) gets it recovered rather than an error.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The host is disposed.</exception>
    public void EnsureOpen()
    {
        if (IsOpen)
        {
            return;
        }

        _opening.Wait();
        try
        {
            if (!IsOpen)
            {
                OpenCore();
            }
        }
        finally
        {
            _opening.Release();
        }
    }

    private void OpenCore()
    {
        int was = Interlocked.CompareExchange(ref _state, 1, 0);
        ObjectDisposedException.ThrowIf(was == 3, this);
        if (was != 0)
        {
            throw new InvalidOperationException("The host is already open (or opening).");
        }

        var managers = new Dictionary<ManagerKey, SuperPositionManager>();
        var stores = new List<IPositionStore>();
        try
        {
            foreach ((ManagerKey key, PositionManagerOptions options) in _options.Managers)
            {
                IPositionStore? store = StoreOf(key);
                if (store is not null)
                {
                    stores.Add(store);
                }

                SuperPositionManager manager = store is not null
                    ? SuperPositionManager.Open(store, options, _time, _loggerFactory, _meterFactory)
                    : new SuperPositionManager(options, _time, _loggerFactory, _meterFactory);
                managers.Add(key, manager);
            }

            Volatile.Write(ref _opened, new Opened(managers, stores));
            if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
            {
                throw new ObjectDisposedException(nameof(PositionHost), "The host was disposed while it opened.");
            }
        }
        catch
        {
            // Every manager opened so far gives its store back and every store lets its files go, even if one of them
            // fails to (logged): a corrected host can be opened again, and the caller gets the error that stopped this one.
            foreach ((ManagerKey key, SuperPositionManager manager) in managers)
            {
                Quietly(key, manager.Dispose);
            }

            foreach (IPositionStore store in stores)
            {
                Quietly(null, store.Dispose);
            }

            Volatile.Write(ref _opened, null);
            Interlocked.CompareExchange(ref _state, 0, 1);
            throw;
        }

        if (_log is { } log && log.IsEnabled(LogLevel.Information))
        {
            foreach ((ManagerKey key, SuperPositionManager manager) in managers)
            {
                (string name, int slots, decimal inventory, int parked) = (key.ToString(), manager.GetSlots().Count, manager.GetTotals().Inventory, manager.ParkedUpdateCount);
                HostLog.ManagerOpened(log, name, slots, inventory, parked);
            }
        }
    }

    private void Quietly(ManagerKey? key, Action release)
    {
        try
        {
            release();
        }
#pragma warning disable CA1031 // A failed clean-up is logged; the error that stopped the open is the one thrown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_log is { } log)
            {
                HostLog.CleanupFailed(log, e, key?.ToString() ?? "a store");
            }
        }
    }

    /// <summary>The manager for <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The host has no manager for <paramref name="key"/>.</exception>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    public SuperPositionManager this[ManagerKey key] => TryGet(key, out SuperPositionManager? manager)
        ? manager
        : throw new ArgumentException($"The host has no manager for {key}.", nameof(key));

    /// <summary>The manager for <paramref name="key"/>, if the host has one.</summary>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    public bool TryGet(ManagerKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SuperPositionManager? manager)
    {
        key.ThrowIfDefault(nameof(key));
        return OpenManagers().ByKey.TryGetValue(key, out manager);
    }

    /// <summary>The key of the manager whose client order ids begin <paramref name="clientOrderId"/>, if any.</summary>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    public bool TryRoute(string? clientOrderId, out ManagerKey key) => OpenManagers().TryRoute(clientOrderId, out key);

    /// <summary>
    /// Gives an update to the manager that issued its client order id (by prefix); an update with no client order id,
    /// or one no manager issued, is refused and counted, and changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The update is malformed; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    public RoutedUpdate OnOrderUpdate(OrderUpdate update)
    {
        update = Validated(update);
        Opened opened = OpenManagers();
        RouteRefusal refusal = Route(opened, update, out ManagerKey key);
        return refusal == RouteRefusal.None ? Routed(key, opened.ByKey[key].OnOrderUpdate(update)) : Refused(refusal, update);
    }

    /// <summary>Gives an update to the manager for <paramref name="key"/>; a key the host does not have is refused and counted.</summary>
    /// <exception cref="ArgumentException">The update is malformed; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    public RoutedUpdate OnOrderUpdate(ManagerKey key, OrderUpdate update)
    {
        key.ThrowIfDefault(nameof(key));
        update = Validated(update);
        return OpenManagers().ByKey.TryGetValue(key, out SuperPositionManager? manager)
            ? Routed(key, manager.OnOrderUpdate(update))
            : Refused(RouteRefusal.UnknownKey, update);
    }

    /// <summary>
    /// Routes a batch by client order id prefix, as <see cref="OnOrderUpdate(OrderUpdate)"/>, and gives each manager
    /// its share in order as one call (<see cref="SuperPositionManager.OnOrderUpdatesAsync"/>), all at once; completes
    /// once every share is durable. Every update is validated first: a malformed one (named by its index) applies nothing.
    /// </summary>
    /// <returns>What became of each update, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> is null.</exception>
    /// <exception cref="ArgumentException">An update is malformed; nothing was applied.</exception>
    /// <exception cref="InvalidOperationException">The host is not open.</exception>
    /// <exception cref="AggregateException">A manager could not apply its share or make it durable (named, with its error); the other managers' shares were applied.</exception>
    public async ValueTask<IReadOnlyList<RoutedUpdate>> OnOrderUpdatesAsync(IReadOnlyList<OrderUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        OrderUpdate[] batch = [.. updates];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = UpdateValidation.HasBlankId(batch[i]) ? UpdateValidation.WithoutBlankIds(batch[i]) : batch[i];
            if (UpdateValidation.Describe(batch[i]) is { } problem)
            {
                throw new ArgumentException($"updates[{i}]: {problem}", nameof(updates));
            }
        }

        Opened opened = OpenManagers();
        cancellationToken.ThrowIfCancellationRequested(); // a token already canceled applies nothing
        var routed = new RoutedUpdate[batch.Length];
        var shares = new Dictionary<ManagerKey, List<int>>();
        for (int i = 0; i < batch.Length; i++)
        {
            RouteRefusal refusal = Route(opened, batch[i], out ManagerKey key);
            if (refusal != RouteRefusal.None)
            {
                routed[i] = Refused(refusal, batch[i]);
            }
            else if (shares.TryGetValue(key, out List<int>? share))
            {
                share.Add(i);
            }
            else
            {
                shares.Add(key, [i]);
            }
        }

        // Every share is handed over before any is awaited, and one manager's failure does not stop the others' shares.
        var pending = new List<(ManagerKey Key, List<int> Share, Task<IReadOnlyList<InputDisposition>> Durable)>(shares.Count);
        foreach ((ManagerKey key, List<int> share) in shares)
        {
            OrderUpdate[] mine = [.. share.Select(i => batch[i])];
            Task<IReadOnlyList<InputDisposition>> durable;
            try
            {
                durable = opened.ByKey[key].OnOrderUpdatesAsync(mine, CancellationToken.None).AsTask();
            }
#pragma warning disable CA1031 // carried in the share's task, and thrown with the others' below
            catch (Exception e)
#pragma warning restore CA1031
            {
                durable = Task.FromException<IReadOnlyList<InputDisposition>>(e);
            }

            pending.Add((key, share, durable));
        }

        try
        {
            await Task.WhenAll(pending.Select(p => p.Durable)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (pending.Any(p => p.Durable.IsFaulted))
        {
            // Other managers' shares were applied (and counted); say which managers failed, each with its error.
            CountRouted(pending.Where(p => p.Durable.IsCompletedSuccessfully));
            throw new AggregateException(
                $"The updates for {string.Join(", ", pending.Where(p => p.Durable.IsFaulted).Select(p => p.Key))} were not applied or not made durable; every other manager's were.",
                pending.Where(p => p.Durable.IsFaulted).Select(p => new InvalidOperationException($"{p.Key}: {p.Durable.Exception!.InnerException!.Message}", p.Durable.Exception.InnerException)));
        }

        foreach ((ManagerKey key, List<int> share, Task<IReadOnlyList<InputDisposition>> durable) in pending)
        {
            IReadOnlyList<InputDisposition> dispositions = durable.Result;
            for (int j = 0; j < share.Count; j++)
            {
                routed[share[j]] = Routed(key, dispositions[j]);
            }
        }

        return routed;
    }

    /// <summary>
    /// Ends every manager at once, as <see cref="SuperPositionManager.DisposeAsync"/> does (a last flush and checkpoint,
    /// stores given back). Call it once the calls in flight have returned. Every manager is ended even if one fails;
    /// the failures are thrown together afterwards. A later call waits for the first to finish and throws nothing.
    /// </summary>
    /// <exception cref="AggregateException">One or more managers could not write their last records or checkpoint.</exception>
    public ValueTask DisposeAsync()
    {
        var ending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _ending, ending.Task, null) is { } first)
        {
            return new ValueTask(Settled(first)); // one disposal: a later call waits for it; its failure is the first caller's
        }

        _ = EndInto(ending);
        return new ValueTask(ending.Task);

        static async Task Settled(Task disposal)
        {
            try
            {
                await disposal.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // reported to the first caller
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        async Task EndInto(TaskCompletionSource done)
        {
            try
            {
                await EndAsync().ConfigureAwait(false);
                done.SetResult();
            }
#pragma warning disable CA1031 // handed to every caller through the task
            catch (Exception e)
#pragma warning restore CA1031
            {
                done.SetException(e);
            }
        }
    }

    /// <summary>Waits for an open under way, then ends what it opened.</summary>
    private async Task EndAsync()
    {
        await _opening.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _state, 3) != 2 || Volatile.Read(ref _opened) is not { } opened)
            {
                return;
            }

            Task[] ending = [.. opened.ByKey.Values.Select(m => m.DisposeAsync().AsTask())];
            try
            {
                await Task.WhenAll(ending).ConfigureAwait(false);
            }
            catch
            {
                throw new AggregateException("Some managers could not be ended cleanly; their stores were still given back.", ending.Where(t => t.Exception is not null).SelectMany(t => t.Exception!.InnerExceptions));
            }
            finally
            {
                foreach (IPositionStore store in opened.Stores)
                {
                    Quietly(null, store.Dispose); // the host got them, the host lets them go (file locks included)
                }

                if (_log is { } log && log.IsEnabled(LogLevel.Information))
                {
                    int ended = ending.Count(t => t.IsCompletedSuccessfully);
                    HostLog.Stopped(log, opened.ByKey.Count, ended);
                }
            }
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking the calling thread.</summary>
    /// <exception cref="AggregateException">One or more managers could not write their last records or checkpoint.</exception>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The routing counters as instruments on the <see cref="SuperPositionManager.MeterName"/> meter; a disposed host's report nothing.</summary>
    private void PublishInstruments(IMeterFactory factory)
    {
        Meter meter = factory.Create(new MeterOptions(SuperPositionManager.MeterName) { Version = typeof(PositionHost).Assembly.GetName().Version?.ToString() });
        meter.CreateObservableCounter("gridpositions.host.updates.routed", () => Volatile.Read(ref _state) == 3 ? [] : new[] { new Measurement<long>(Interlocked.Read(ref _routed)) }, "{update}", "Updates the host gave to a manager.");
        meter.CreateObservableCounter("gridpositions.host.updates.unroutable", () =>
        {
            HostCounters c = Counters;
            return Volatile.Read(ref _state) == 3 ? [] : new[]
            {
                new Measurement<long>(c.UnknownKey, new KeyValuePair<string, object?>("gridpositions.refusal", "unknown_key")),
                new Measurement<long>(c.NoClientOrderId, new KeyValuePair<string, object?>("gridpositions.refusal", "no_client_order_id")),
                new Measurement<long>(c.UnknownPrefix, new KeyValuePair<string, object?>("gridpositions.refusal", "unknown_prefix")),
            };
        }, "{update}", "Updates the host could not route, by reason.");
    }

    /// <summary>The update as a manager would take it (a blank id is no id), or the manager's error for a malformed one.</summary>
    private static OrderUpdate Validated(OrderUpdate update)
    {
        update = UpdateValidation.HasBlankId(update) ? UpdateValidation.WithoutBlankIds(update) : update;
        UpdateValidation.Validate(update);
        return update;
    }

    private IPositionStore? StoreOf(ManagerKey key)
    {
        if (_options.StoreFactory is { } factory)
        {
            return factory(key) ?? throw new InvalidOperationException($"The StoreFactory returned no store for {key}.");
        }

        return _options.StoreDirectory is { } root
            ? FilePositionStore.Open(Path.Combine(root, key.Account, $"{key.Symbol}-{(key.Direction == GridDirection.Long ? "long" : "short")}"), _options.Durability)
            : null;
    }

    private Opened OpenManagers()
    {
        int state = Volatile.Read(ref _state);
        return state == 2 && Volatile.Read(ref _opened) is { } opened
            ? opened
            : throw new InvalidOperationException(state == 3 ? "The host is disposed." : "The host is not open; call Open first (the hosted service does at start).");
    }

    private static RouteRefusal Route(Opened opened, in OrderUpdate update, out ManagerKey key)
    {
        if (update.ClientOrderId is null)
        {
            key = default;
            return RouteRefusal.NoClientOrderId;
        }

        return opened.TryRoute(update.ClientOrderId, out key) ? RouteRefusal.None : RouteRefusal.UnknownPrefix;
    }

    private void CountRouted(IEnumerable<(ManagerKey Key, List<int> Share, Task<IReadOnlyList<InputDisposition>> Durable)> applied)
    {
        foreach ((_, List<int> share, _) in applied)
        {
            Interlocked.Add(ref _routed, share.Count);
        }
    }

    private RoutedUpdate Routed(ManagerKey key, InputDisposition disposition)
    {
        Interlocked.Increment(ref _routed);
        return new RoutedUpdate(key, disposition, RouteRefusal.None);
    }

    private RoutedUpdate Refused(RouteRefusal refusal, in OrderUpdate update)
    {
        switch (refusal)
        {
            case RouteRefusal.UnknownKey: Interlocked.Increment(ref _unknownKey); break;
            case RouteRefusal.NoClientOrderId: Interlocked.Increment(ref _noClientOrderId); break;
            default: Interlocked.Increment(ref _unknownPrefix); break;
        }

        if (_log is { } log)
        {
            HostLog.Unroutable(log, refusal, update.OrderId, update.ClientOrderId);
        }

        return RoutedUpdate.Refused(refusal);
    }

    /// <summary>The open managers and their client order id prefixes, grouped by length so a lookup tries each length once.</summary>
    private sealed class Opened
    {
        private readonly (int Length, Dictionary<string, ManagerKey> Keys)[] _prefixes;

        public Opened(Dictionary<ManagerKey, SuperPositionManager> managers, List<IPositionStore> stores)
        {
            ByKey = managers;
            Stores = stores;
            var byLength = new SortedDictionary<int, Dictionary<string, ManagerKey>>();
            foreach ((ManagerKey key, SuperPositionManager manager) in managers)
            {
                // The prefix a manager's ids really begin with: a restored manager keeps the one it was created with.
                string prefix = manager.Book.ClientIdPrefix;
                foreach ((ManagerKey other, SuperPositionManager theirs) in managers)
                {
                    if (!key.Equals(other) && theirs.Book.ClientIdPrefix.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"The client order ids of {key} ('{prefix}...') begin those of {other} ('{theirs.Book.ClientIdPrefix}...'): updates could not be routed apart. Give each manager its own ClientOrderIdPrefix.");
                    }
                }

                if (!byLength.TryGetValue(prefix.Length, out Dictionary<string, ManagerKey>? keys))
                {
                    byLength.Add(prefix.Length, keys = new Dictionary<string, ManagerKey>(StringComparer.Ordinal));
                }

                keys.Add(prefix, key);
            }

            _prefixes = [.. byLength.Select(p => (p.Key, p.Value))];
        }

        public Dictionary<ManagerKey, SuperPositionManager> ByKey { get; }

        /// <summary>The stores the host opened or was given by the factory: it disposes them once their managers have ended.</summary>
        public List<IPositionStore> Stores { get; }

        public bool TryRoute(string? clientOrderId, out ManagerKey key)
        {
            if (clientOrderId is not null)
            {
                foreach ((int length, Dictionary<string, ManagerKey> keys) in _prefixes)
                {
                    if (clientOrderId.Length > length && keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(clientOrderId.AsSpan(0, length), out key))
                    {
                        return true;
                    }
                }
            }

            key = default;
            return false;
        }
    }
}
