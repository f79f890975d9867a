using GridPositions.Hosting;
using GridPositions.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Hosting;

/// <summary>The host of many managers: routing by key and by client order id prefix, counted refusals, start and stop, restart, DI and health.</summary>
public class PositionHostTests
{
    private static readonly ManagerKey s_btc = new("main", "BTCUSDT", GridDirection.Long);
    private static readonly ManagerKey s_eth = new("main", "ETHUSDT", GridDirection.Short);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    private static PositionHostOptions TwoSymbols(string? root = null) => new PositionHostOptions { StoreDirectory = root }
        .Add("main", new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.1m, QuantityStep = 0.001m, ClientOrderIdPrefix = "btc" })
        .Add("main", new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.01m, Direction = GridDirection.Short, ClientOrderIdPrefix = "eth" });

    /// <summary>Claims and places an opening order on <paramref name="manager"/>; returns the action and its exchange id.</summary>
    private static (OrderAction Action, string OrderId) Placed(SuperPositionManager manager, decimal slot, decimal quantity, string orderId)
    {
        ClaimResult claim = manager.ClaimSlot(ClaimRequest.Place(slot, manager.OpeningSide, slot, quantity));
        Assert.True(claim.IsAccepted, claim.Detail);
        Assert.Equal(InputDisposition.Applied, manager.ApplyActionResults([OrderActionResult.Placed(claim.Action, orderId)])[0].Disposition);
        return (claim.Action, orderId);
    }

    private static OrderUpdate Fill(OrderAction action, string? orderId, decimal cumulative, OrderStatus status = OrderStatus.PartiallyFilled) => new()
    {
        OrderId = orderId,
        ClientOrderId = action.ClientOrderId,
        Status = status,
        CumulativeFilledQuantity = cumulative,
        CumulativeQuoteQuantity = cumulative * action.Price,
    };

    [Fact]
    public void AnUpdate_GoesToTheManagerWhoseClientOrderIdsBeginIt_AndOnlyThere()
    {
        using var host = new PositionHost(TwoSymbols(), _time);
        host.Open();
        (OrderAction btc, string btcId) = Placed(host[s_btc], 60_000m, 0.01m, "B1");
        (OrderAction eth, string ethId) = Placed(host[s_eth], 3_000m, 0.5m, "E1");

        RoutedUpdate toBtc = host.OnOrderUpdate(Fill(btc, btcId, 0.004m));
        RoutedUpdate toEth = host.OnOrderUpdate(Fill(eth, null, 0.2m)); // no exchange id: the client id's prefix still routes it

        Assert.Equal(new RoutedUpdate(s_btc, InputDisposition.Applied, RouteRefusal.None), toBtc);
        Assert.Equal(new RoutedUpdate(s_eth, InputDisposition.Applied, RouteRefusal.None), toEth);
        Assert.Equal(0.004m, host[s_btc].GetTotals().Inventory);
        Assert.Equal(0.2m, host[s_eth].GetTotals().Inventory);
        Assert.Equal(new HostCounters(2, 0, 0, 0), host.Counters);
        Assert.True(host.TryRoute(btc.ClientOrderId, out ManagerKey routed) && routed == s_btc);
    }

    [Fact]
    public void AnUpdateSentWithItsKey_GoesToThatManager()
    {
        using var host = new PositionHost(TwoSymbols(), _time);
        host.Open();
        (OrderAction eth, string ethId) = Placed(host[s_eth], 3_000m, 0.5m, "E1");

        // By key, an update needs no client id: the manager routes it by its exchange id.
        RoutedUpdate routed = host.OnOrderUpdate(s_eth, Fill(eth, ethId, 0.5m, OrderStatus.Filled) with { ClientOrderId = null });

        Assert.Equal(InputDisposition.Applied, routed.Disposition);
        Assert.Equal(s_eth, routed.Key);
        Assert.Equal(0.5m, host[s_eth].GetTotals().Inventory);
        Assert.Equal(0m, host[s_btc].GetTotals().Inventory);
    }

    [Fact]
    public void WhatCannotBeRouted_IsRefusedByReasonAndCounted_AndChangesNoManager()
    {
        using var host = new PositionHost(TwoSymbols(), _time);
        host.Open();
        (OrderAction btc, string btcId) = Placed(host[s_btc], 60_000m, 0.01m, "B1");
        byte[] btcBefore = Google.Protobuf.MessageExtensions.ToByteArray(host[s_btc].CreateSnapshot());

        RoutedUpdate noClientId = host.OnOrderUpdate(Fill(btc, btcId, 0.01m) with { ClientOrderId = null });
        RoutedUpdate blankClientId = host.OnOrderUpdate(Fill(btc, btcId, 0.01m) with { ClientOrderId = "  " });
        RoutedUpdate foreign = host.OnOrderUpdate(Fill(btc, "F1", 0.01m) with { ClientOrderId = "web_manual_order_1" });
        RoutedUpdate justThePrefix = host.OnOrderUpdate(Fill(btc, "F2", 0.01m) with { ClientOrderId = btc.ClientOrderId.TrimEnd("0123456789".ToCharArray()) }); // the prefix, with no sequence after it
        RoutedUpdate unknownKey = host.OnOrderUpdate(new ManagerKey("other", "BTCUSDT", GridDirection.Long), Fill(btc, btcId, 0.01m));

        Assert.Equal(RouteRefusal.NoClientOrderId, noClientId.Refusal);
        Assert.Equal(RouteRefusal.NoClientOrderId, blankClientId.Refusal);
        Assert.Equal(RouteRefusal.UnknownPrefix, foreign.Refusal);
        Assert.Equal(RouteRefusal.UnknownPrefix, justThePrefix.Refusal);
        Assert.Equal(RouteRefusal.UnknownKey, unknownKey.Refusal);
        Assert.All(new[] { noClientId, foreign, unknownKey }, r => Assert.False(r.IsRouted));
        Assert.Equal(new HostCounters(0, 1, 2, 2), host.Counters);
        Assert.Equal(btcBefore, Google.Protobuf.MessageExtensions.ToByteArray(host[s_btc].CreateSnapshot()));
        Assert.Equal(0, host[s_btc].ParkedUpdateCount + host[s_eth].ParkedUpdateCount);
    }

    [Fact]
    public void AMalformedUpdate_IsAnArgumentError_NotARefusal()
    {
        using var host = new PositionHost(TwoSymbols(), _time);
        host.Open();
        var bad = new OrderUpdate { ClientOrderId = "btc1", Status = OrderStatus.New, CumulativeFilledQuantity = -1m };

        Assert.Throws<ArgumentException>(() => host.OnOrderUpdate(bad));
        Assert.Throws<ArgumentException>(() => host.OnOrderUpdate(s_btc, bad));
        Assert.Throws<ArgumentException>(() => host.OnOrderUpdate(default(ManagerKey), bad with { CumulativeFilledQuantity = 0m }));
        Assert.Equal(new HostCounters(0, 0, 0, 0), host.Counters);
    }

    [Fact]
    public async Task ABatch_GivesEachManagerItsShareInOrder_DurableWhenItCompletes()
    {
        var stores = new Dictionary<ManagerKey, MemoryStore>();
        PositionHostOptions options = TwoSymbols();
        options.StoreFactory = key => stores[key] = new MemoryStore(Durability.GroupCommit);
        await using var host = new PositionHost(options, _time);
        host.Open();
        (OrderAction btc, string btcId) = Placed(host[s_btc], 60_000m, 0.01m, "B1");
        (OrderAction eth, string ethId) = Placed(host[s_eth], 3_000m, 0.5m, "E1");
        int btcRecords = stores[s_btc].Records.Count, ethRecords = stores[s_eth].Records.Count;

        IReadOnlyList<RoutedUpdate> routed = await host.OnOrderUpdatesAsync(
        [
            Fill(btc, btcId, 0.004m), Fill(eth, ethId, 0.1m), Fill(btc, btcId, 0.004m), Fill(btc, "F1", 1m) with { ClientOrderId = "zz1" },
            Fill(eth, ethId, 0.5m, OrderStatus.Filled), Fill(btc, btcId, 0.01m, OrderStatus.Filled),
        ]);

        Assert.Equal(
            [InputDisposition.Applied, InputDisposition.Applied, InputDisposition.Duplicate, default, InputDisposition.Applied, InputDisposition.Applied],
            routed.Select(r => r.Disposition));
        Assert.Equal([s_btc, s_eth, s_btc, default, s_eth, s_btc], routed.Select(r => r.Key));
        Assert.Equal(RouteRefusal.UnknownPrefix, routed[3].Refusal);

        // Durable when it completes: each manager's records are in its store already.
        Assert.Equal(btcRecords + 2, stores[s_btc].Records.Count);
        Assert.Equal(ethRecords + 2, stores[s_eth].Records.Count);
        Assert.Equal(0.01m, host[s_btc].GetTotals().Inventory);
        Assert.Equal(0.5m, host[s_eth].GetTotals().Inventory);
    }

    [Fact]
    public async Task ABatchWithOneMalformedUpdate_NamesItsIndex_AndAppliesNothing()
    {
        using var host = new PositionHost(TwoSymbols(), _time);
        host.Open();
        (OrderAction btc, string btcId) = Placed(host[s_btc], 60_000m, 0.01m, "B1");

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(async () => await host.OnOrderUpdatesAsync(
            [Fill(btc, btcId, 0.004m), Fill(btc, btcId, 0.005m) with { CumulativeFilledQuantity = -1m }]));

        Assert.Contains("updates[1]", error.Message, StringComparison.Ordinal);
        Assert.Equal(0m, host[s_btc].GetTotals().Inventory);
        Assert.Equal(new HostCounters(0, 0, 0, 0), host.Counters);
    }

    [Fact]
    public void Options_AreRefused_WhenPrefixesWouldNotRouteApart_OrTheHostIsEmpty_OrAKeyRepeats()
    {
        PositionManagerOptions Grid(string symbol, string prefix) => new() { Symbol = symbol, TickSize = 1m, QuantityStep = 1m, ClientOrderIdPrefix = prefix };

        ArgumentException ambiguous = Assert.Throws<ArgumentException>(() => new PositionHost(new PositionHostOptions().Add("a", Grid("X", "gp")).Add("a", Grid("Y", "gp2"))));
        ArgumentException same = Assert.Throws<ArgumentException>(() => new PositionHost(new PositionHostOptions().Add("a", Grid("X", "gp")).Add("b", Grid("X", "gp"))));
        ArgumentException empty = Assert.Throws<ArgumentException>(() => new PositionHost(new PositionHostOptions()));
        ArgumentException twice = Assert.Throws<ArgumentException>(() => new PositionHostOptions().Add("a", Grid("X", "x")).Add("a", Grid("X", "y")));

        Assert.Contains("'gp'", ambiguous.Message, StringComparison.Ordinal);
        Assert.Equal("Managers", ambiguous.ParamName);
        Assert.Equal("Managers", same.ParamName);
        Assert.Equal("Managers", empty.ParamName);
        Assert.Contains("a/X/long", twice.Message, StringComparison.Ordinal);
        ArgumentException caseOnly = Assert.Throws<ArgumentException>(() => new PositionHost(new PositionHostOptions().Add("a", Grid("btcusdt", "x")).Add("a", Grid("BTCUSDT", "y"))));
        Assert.Contains("differ only in case", caseOnly.Message, StringComparison.Ordinal);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => new PositionHostOptions().Add("a", Grid("BTC/USDT", "x"))).ParamName);
        Assert.Equal("account", Assert.Throws<ArgumentException>(() => new ManagerKey("../up", "X", GridDirection.Long)).ParamName);
        Assert.Equal("symbol", Assert.Throws<ArgumentException>(() => new ManagerKey("a", "..", GridDirection.Long)).ParamName);
        Assert.Equal("symbol", Assert.Throws<ArgumentException>(() => new ManagerKey("a", " ", GridDirection.Long)).ParamName);
    }

    [Fact]
    public void BeforeOpen_AndAfterDisposal_TheHostSaysSo()
    {
        var host = new PositionHost(TwoSymbols(), _time);
        Assert.Contains("not open", Assert.Throws<InvalidOperationException>(() => host[s_btc]).Message, StringComparison.Ordinal);
        host.Open();
        Assert.Throws<InvalidOperationException>(host.Open);
        SuperPositionManager btc = host[s_btc];

        host.Dispose();

        Assert.False(host.IsOpen);
        Assert.Contains("disposed", Assert.Throws<InvalidOperationException>(() => host[s_btc]).Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(host.Open);
        Assert.Throws<ObjectDisposedException>(() => btc.ClaimSlot(ClaimRequest.Place(60_000m, OrderSide.Buy, 60_000m, 0.01m)));
    }

    [Fact]
    public void OpenIsAllOrNothing_AManagerThatCannotOpen_LeavesEveryStoreFreeForTheNextTry()
    {
        using var root = new StoreDirectory();
        string ethDirectory = Path.Combine(root.Path, "main", "ETHUSDT-short");
        var host = new PositionHost(TwoSymbols(root.Path), _time);
        using (FilePositionStore.Open(ethDirectory))
        {
            Assert.Throws<StoreLockedException>(host.Open); // another owner holds ETH's store
            Assert.False(host.IsOpen);
        }

        host.Open(); // BTC's store, opened by the failed try, was given back and let go

        Assert.True(host.IsOpen);
        host.Dispose();
    }

    [Fact]
    public async Task TheHostedService_OpensAtStart_AndAtStopFlushesAndCheckpointsEveryStore_SoARestartRecoversEveryManager()
    {
        using var root = new StoreDirectory();
        string btcClientId;
        await using (ServiceProvider provider = HostedServices(root.Path))
        {
            PositionHostService service = provider.GetServices<IHostedService>().OfType<PositionHostService>().Single();
            await service.StartAsync(CancellationToken.None);
            var btc = provider.GetRequiredKeyedService<SuperPositionManager>(s_btc);
            var eth = provider.GetRequiredKeyedService<SuperPositionManager>("main/ETHUSDT/short");
            Assert.Same(btc, provider.GetRequiredKeyedService<SuperPositionManager>("main/BTCUSDT/long"));
            (OrderAction btcAction, string btcId) = Placed(btc, 60_000m, 0.01m, "B1");
            (OrderAction ethAction, string ethId) = Placed(eth, 3_000m, 0.5m, "E1");
            btcClientId = btcAction.ClientOrderId;
            PositionHost host = provider.GetRequiredService<PositionHost>();
            Assert.True(host.OnOrderUpdate(Fill(btcAction, btcId, 0.004m)).IsRouted);
            Assert.True(host.OnOrderUpdate(Fill(ethAction, ethId, 0.5m, OrderStatus.Filled)).IsRouted);

            await service.StopAsync(CancellationToken.None);

            Assert.False(host.IsOpen);
            Assert.Throws<ObjectDisposedException>(() => btc.OnOrderUpdate(Fill(btcAction, btcId, 0.005m)));
        }

        // Stop checkpointed: each store holds a snapshot and no journal left to replay.
        foreach (string folder in new[] { "BTCUSDT-long", "ETHUSDT-short" })
        {
            using FilePositionStore store = FilePositionStore.Open(Path.Combine(root.Path, "main", folder));
            StoreRecovery recovered = store.Recover();
            Assert.NotNull(recovered.Snapshot);
            Assert.Empty(recovered.Journal);
        }

        using var again = new PositionHost(TwoSymbols(root.Path), _time);
        again.Open();
        Assert.Equal(0.004m, again[s_btc].GetTotals().Inventory);
        Assert.Equal(0.5m, again[s_eth].GetTotals().Inventory);
        Assert.Equal(SlotStatus.Live, again[s_btc].GetSlot(60_000m)!.Status);
        Assert.True(again.TryRoute(btcClientId, out ManagerKey routed) && routed == s_btc); // recovered ids still route
    }

    [Fact]
    public async Task Health_IsReportedPerManager_AndTurnsUnhealthyForTheOneWhoseJournalFailed()
    {
        var stores = new Dictionary<ManagerKey, MemoryStore>();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddGridPositionsHost(host =>
        {
            host.Add("main", new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.1m, QuantityStep = 0.001m, ClientOrderIdPrefix = "btc" })
                .Add("main", new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.01m, ClientOrderIdPrefix = "eth" });
            host.StoreFactory = key => stores[key] = new MemoryStore(Durability.GroupCommit);
        });
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)); // the health check service logs
        services.AddHealthChecks().AddGridPositionsHost();
        await using ServiceProvider provider = services.BuildServiceProvider();
        HealthCheckService health = provider.GetRequiredService<HealthCheckService>();

        HealthReport beforeStart = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, beforeStart.Status);
        Assert.Equal(["gridpositions:main/BTCUSDT/long", "gridpositions:main/ETHUSDT/long"], beforeStart.Entries.Keys.Order(StringComparer.Ordinal));

        await provider.GetServices<IHostedService>().OfType<PositionHostService>().Single().StartAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        var eth = new ManagerKey("main", "ETHUSDT", GridDirection.Long);
        stores[eth].Fail = true;
        Assert.Throws<PersistenceFailedException>(() => provider.GetRequiredKeyedService<SuperPositionManager>(eth).ClaimSlot(ClaimRequest.Place(3_000m, OrderSide.Buy, 3_000m, 1m)));

        HealthReport report = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["gridpositions:main/ETHUSDT/long"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["gridpositions:main/BTCUSDT/long"].Status);
        Assert.Equal(["gridpositions"], report.Entries["gridpositions:main/BTCUSDT/long"].Tags);

        // Stopping ends both; the failed one's last checkpoint fails, and says so, after the other ended cleanly.
        var btc = provider.GetRequiredKeyedService<SuperPositionManager>(s_btc);
        AggregateException stop = await Assert.ThrowsAsync<AggregateException>(() => provider.GetRequiredService<PositionHost>().DisposeAsync().AsTask());
        Assert.IsType<PersistenceFailedException>(Assert.Single(stop.InnerExceptions));
        Assert.Throws<ObjectDisposedException>(btc.Checkpoint);
        Assert.Single(stores[s_btc].Checkpoints.Skip(1)); // its last checkpoint, after the first one at open
    }

    [Fact]
    public async Task ABotServiceThatTakesAManagerInItsConstructor_GetsItRecovered_AndTheHostStillStartsAndStops()
    {
        using var root = new StoreDirectory();
        await using (ServiceProvider first = HostedServices(root.Path))
        {
            PositionHostService service = first.GetServices<IHostedService>().OfType<PositionHostService>().Single();
            await service.StartAsync(CancellationToken.None);
            Placed(first.GetRequiredKeyedService<SuperPositionManager>(s_btc), 60_000m, 0.01m, "B1");
            await service.StopAsync(CancellationToken.None);
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddGridPositionsHost(host =>
        {
            TwoSymbolsInto(host);
            host.StoreDirectory = root.Path;
        });
        services.AddHostedService<Bot>(); // the usual shape: the Generic Host builds every hosted service before starting any
        await using ServiceProvider provider = services.BuildServiceProvider();

        IHostedService[] hosted = [.. provider.GetServices<IHostedService>()];
        foreach (IHostedService each in hosted)
        {
            await each.StartAsync(CancellationToken.None);
        }

        Bot bot = hosted.OfType<Bot>().Single();
        Assert.Equal(SlotStatus.Live, bot.Btc.GetSlot(60_000m)!.Status); // recovered before the bot was built
        Assert.True(provider.GetRequiredService<PositionHost>().IsOpen);
        foreach (IHostedService each in hosted.Reverse())
        {
            await each.StopAsync(CancellationToken.None);
        }

        Assert.False(provider.GetRequiredService<PositionHost>().IsOpen);
    }

    private sealed class Bot([FromKeyedServices("main/BTCUSDT/long")] SuperPositionManager btc) : IHostedService
    {
        public SuperPositionManager Btc => btc;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public void AnOpenThatFails_WhileItsCleanUpFailsToo_StillLetsEveryStoreGo_ThrowsTheFirstError_AndCanBeTriedAgain()
    {
        int attempt = 0;
        var made = new List<TestStore>();
        PositionHostOptions options = TwoSymbols();
        options.StoreFactory = key =>
        {
            // First try: BTC's store refuses its last checkpoint (so ending it fails), ETH's cannot recover.
            var store = new TestStore(failCheckpointsAfter: attempt == 0 && key == s_btc ? 1 : int.MaxValue, failRecover: attempt == 0 && key == s_eth);
            made.Add(store);
            return store;
        };
        var host = new PositionHost(options, _time);

        IOException error = Assert.Throws<IOException>(host.Open);

        Assert.Equal("cannot recover", error.Message);
        Assert.All(made, s => Assert.True(s.Disposed));
        attempt++;
        host.Open();
        Assert.True(host.IsOpen);
        host.Dispose();
    }

    [Fact]
    public async Task ABatchAManagerCannotTake_NamesThatManager_AndTheOthersSharesAreApplied()
    {
        var stores = new Dictionary<ManagerKey, MemoryStore>();
        PositionHostOptions options = TwoSymbols();
        options.StoreFactory = key => stores[key] = new MemoryStore(Durability.GroupCommit);
        var host = new PositionHost(options, _time);
        host.Open();
        (OrderAction btc, string btcId) = Placed(host[s_btc], 60_000m, 0.01m, "B1");
        (OrderAction eth, string ethId) = Placed(host[s_eth], 3_000m, 0.5m, "E1");
        stores[s_eth].Fail = true;

        AggregateException error = await Assert.ThrowsAsync<AggregateException>(async () => await host.OnOrderUpdatesAsync([Fill(btc, btcId, 0.004m), Fill(eth, ethId, 0.1m)]));

        Assert.Contains("main/ETHUSDT/short", error.Message, StringComparison.Ordinal);
        Assert.IsType<PersistenceFailedException>(Assert.Single(error.InnerExceptions).InnerException);
        Assert.Equal(0.004m, host[s_btc].GetTotals().Inventory);
        Assert.Equal(1, host.Counters.Routed);
        await Assert.ThrowsAsync<AggregateException>(() => host.DisposeAsync().AsTask()); // ETH cannot write its last checkpoint
    }

    [Fact]
    public async Task DisposingTwiceAtOnce_BothWaitForTheOneDisposal()
    {
        using var root = new StoreDirectory();
        var host = new PositionHost(TwoSymbols(root.Path), _time);
        host.Open();

        Task first = host.DisposeAsync().AsTask(), second = host.DisposeAsync().AsTask();
        await second; // only the second: had it returned at once, the first would still be checkpointing on a pool thread

        Assert.True(first.IsCompleted);
        Assert.False(host.IsOpen);
        using (FilePositionStore.Open(Path.Combine(root.Path, "main", "BTCUSDT-long")))
        {
            // the stores were let go by then
        }

        await first;
    }

    /// <summary>A store in memory that can refuse its checkpoints after a number of them, or its recovery.</summary>
    private sealed class TestStore(int failCheckpointsAfter, bool failRecover) : IPositionStore
    {
        private int _checkpoints;

        public bool Disposed { get; private set; }

        public Durability Durability => Durability.GroupCommit;

        public StoreRecovery Recover() => failRecover ? throw new IOException("cannot recover") : new StoreRecovery(null, 1);

        public void Append(IReadOnlyList<JournalEntry> entries)
        {
        }

        public void StartSegment(ulong firstSequence)
        {
        }

        public void Checkpoint(StoreSnapshot snapshot)
        {
            if (++_checkpoints > failCheckpointsAfter)
            {
                throw new IOException("disk full");
            }
        }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void RegisteringTheHostTwice_OrHealthWithoutAHost_IsRefused()
    {
        var services = new ServiceCollection().AddGridPositionsHost(host => TwoSymbolsInto(host));
        Assert.Throws<InvalidOperationException>(() => services.AddGridPositionsHost(host => TwoSymbolsInto(host)));
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddHealthChecks().AddGridPositionsHost());
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddGridPositionsHost(_ => { }));
    }

    private static void TwoSymbolsInto(PositionHostOptions host)
    {
        foreach ((ManagerKey key, PositionManagerOptions options) in TwoSymbols().Managers)
        {
            host.Add(key.Account, options);
        }
    }

    private ServiceProvider HostedServices(string root)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddGridPositionsHost(host =>
        {
            TwoSymbolsInto(host);
            host.StoreDirectory = root;
        });
        return services.BuildServiceProvider();
    }
}
