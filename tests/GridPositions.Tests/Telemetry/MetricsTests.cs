using System.Diagnostics.Metrics;
using GridPositions.Wire;

namespace GridPositions.Tests.Telemetry;

/// <summary>The meter's instruments report the manager's counters, and without a meter factory there is no meter.</summary>
public class MetricsTests
{
    [Fact]
    public void Instruments_ReportTheCounters_TaggedWithTheSymbolAndDisposition()
    {
        using var meters = new TestMeterFactory();
        var grid = new TestGrid(meterFactory: meters);
        (OrderAction action, string orderId) = grid.OpenFilled(100m, 1m);
        grid.Update(action, orderId, OrderStatus.Filled, 1m);                           // a duplicate
        Assert.False(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Opening, 100m, 1m)).IsAccepted); // holds inventory
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "NOBODY", Status = OrderStatus.New }); // parked

        Dictionary<string, long> seen = Collect(meters);

        ManagerCounters c = grid.Manager.Counters;
        Assert.Equal(c.ClaimsAccepted, seen["gridpositions.claims|accepted"]);
        Assert.Equal(1, seen["gridpositions.claims|rejected"]);
        Assert.Equal(c.ResultsApplied, seen["gridpositions.results|applied"]);
        Assert.Equal(c.UpdatesApplied, seen["gridpositions.updates|applied"]);
        Assert.Equal(1, seen["gridpositions.updates|duplicate"]);
        Assert.Equal(1, seen["gridpositions.updates.parked"]);
        Assert.Equal(1, seen["gridpositions.updates.waiting"]);
        Assert.Equal(1, seen["gridpositions.fills"]);
        Assert.Equal(0, seen["gridpositions.round_trips"]);
        Assert.Equal(["BTCUSDT"], meters.Created.Select(m => m.Tags!.Single(t => t.Key == "gridpositions.symbol").Value));
        Assert.Equal(SuperPositionManager.MeterName, Assert.Single(meters.Created).Name);
    }

    [Fact]
    public void Instruments_FollowTheCounters_AsTheyMove()
    {
        using var meters = new TestMeterFactory();
        var grid = new TestGrid(meterFactory: meters);
        Assert.Equal(0, Collect(meters)["gridpositions.fills"]);

        grid.OpenFilled(100m, 1m);
        OrderAction close = grid.ClaimClose(100m, 101m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, 101m);

        Dictionary<string, long> seen = Collect(meters);
        Assert.Equal(2, seen["gridpositions.fills"]);
        Assert.Equal(1, seen["gridpositions.round_trips"]);
    }

    [Fact]
    public void WithoutAMeterFactory_NoInstrumentIsPublished()
    {
        // Every factory in these tests (and the host's) scopes its meters; a meter the library made itself would not be.
        var unscoped = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == SuperPositionManager.MeterName && instrument.Meter.Scope is null)
            {
                lock (unscoped)
                {
                    unscoped.Add(instrument.Name);
                }
            }
        };
        listener.Start();

        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        _ = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options);

        Assert.Empty(unscoped);
    }

    [Fact]
    public void ARestoreThatFails_LeavesNoMeterBehind_AndOneThatSucceeds_TagsItsDirection()
    {
        using var meters = new TestMeterFactory();
        var grid = new TestGrid(GridDirection.Short);
        grid.Place(grid.ClaimOpen(100m), "X1");
        grid.Place(grid.ClaimOpen(101m), "X2");
        PositionManagerSnapshot broken = grid.Manager.CreateSnapshot();
        broken.Slots[1].Order.OrderId = "X1"; // one order id owned by two slots: refused after the manager is built

        Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(broken, grid.Options, meterFactory: meters));
        Assert.Empty(meters.Created);

        _ = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, meterFactory: meters);
        Meter meter = Assert.Single(meters.Created);
        Assert.Equal("short", meter.Tags!.Single(t => t.Key == "gridpositions.direction").Value);
    }

    [Fact]
    public void AManagerOpenedOnAStore_PublishesItsInstruments()
    {
        using var meters = new TestMeterFactory();
        using var dir = new GridPositions.Tests.Persistence.StoreDirectory();
        using FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, meterFactory: meters);
        manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));

        Assert.Equal(1, Collect(meters)["gridpositions.claims|accepted"]);
    }

    [Fact]
    public void TheBooksAreMeasured_InventoryPnlSlotsByStatusLeasesFindingsAndDurability()
    {
        using var meters = new TestMeterFactory();
        var grid = new TestGrid(meterFactory: meters);
        grid.OpenFilled(100m, 2m);
        grid.OpenFilled(101m, 1m);
        OrderAction close = grid.ClaimClose(101m, 103m, 1m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, 103m, fee: 0.5m); // +2 - 0.5
        grid.ClaimOpen(102m);                                                             // pending place
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [new ExchangeOrder("FOREIGN", "web1", OrderSide.Buy, 50m, 1m, OrderStatus.New, 0m)]));
        using PositionLease lease = grid.Manager.BeginModify(new ModifyRequest(100m, 90m, null, "test"));

        (Dictionary<string, double> gauges, _) = CollectDoubles(meters);
        Dictionary<string, long> counts = Collect(meters);

        Assert.Equal(2d, gauges["gridpositions.inventory"]);
        Assert.Equal(1.5d, gauges["gridpositions.pnl.realized"]);
        Assert.Equal(1, counts["gridpositions.slots|pending_place"]);
        Assert.Equal(2, counts["gridpositions.slots|free"]);
        Assert.Equal(0, counts["gridpositions.slots|live"]);
        Assert.Equal(1, counts["gridpositions.leases|modify"]);
        Assert.Equal(0, counts["gridpositions.leases|close"]);
        Assert.Equal(1, counts["gridpositions.reconciliation.findings|foreign_order"]);
        Assert.Equal(0, counts["gridpositions.reconciliation.findings|missed_fill"]);
        Assert.Equal(0, counts["gridpositions.durability.failed"]);
    }

    [Fact]
    public void JournalFlushes_AreRecorded_AndAFailedJournalIsMeasured()
    {
        using var meters = new TestMeterFactory();
        var store = new Persistence.MemoryStore(Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, meterFactory: meters);

        (_, Dictionary<string, int> recorded) = CollectDoubles(meters, () =>
        {
            manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m));
            manager.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m));
        });
        Assert.Equal(store.Flushes, recorded["gridpositions.journal.flush.duration"]);
        Assert.Equal(2, store.Flushes);

        store.Fail = true;
        Assert.Throws<PersistenceFailedException>(() => manager.ClaimSlot(ClaimRequest.Place(102m, OrderSide.Buy, 102m, 1m)));
        Assert.Equal(1, Collect(meters)["gridpositions.durability.failed"]);
    }

    [Fact]
    public void AMetricListenerThatThrows_DoesNotFailAJournalWriteThatReachedTheDisk()
    {
        using var meters = new TestMeterFactory();
        var store = new Persistence.MemoryStore(Durability.GroupCommit);
        SuperPositionManager manager = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }, meterFactory: meters);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Created.Contains(instrument.Meter) && instrument.Name == "gridpositions.journal.flush.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("a broken exporter"));
        listener.Start();

        Assert.True(manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).IsAccepted);
        Assert.True(manager.ClaimSlot(ClaimRequest.Place(101m, OrderSide.Buy, 101m, 1m)).IsAccepted);

        Assert.False(manager.DurabilityFailed);
        Assert.Equal(2, store.Flushes);
    }

    [Fact]
    public void AHostsRoutingIsMeasured_ByReason()
    {
        using var meters = new TestMeterFactory();
        using var host = new GridPositions.Hosting.PositionHost(
            new GridPositions.Hosting.PositionHostOptions().Add("main", new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m }),
            meterFactory: meters);
        host.Open();
        host.OnOrderUpdate(new OrderUpdate { OrderId = "1", ClientOrderId = "web1", Status = OrderStatus.New });
        host.OnOrderUpdate(new OrderUpdate { OrderId = "2", Status = OrderStatus.New });

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Created.Contains(instrument.Meter) && instrument.Name.StartsWith("gridpositions.host.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => seen[tags.Length == 0 ? instrument.Name : instrument.Name + "|" + tags[0].Value] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(0, seen["gridpositions.host.updates.routed"]);
        Assert.Equal(1, seen["gridpositions.host.updates.unroutable|unknown_prefix"]);
        Assert.Equal(1, seen["gridpositions.host.updates.unroutable|no_client_order_id"]);
        Assert.Equal(0, seen["gridpositions.host.updates.unroutable|unknown_key"]);
    }

    /// <summary>Every measurement of the factory's meters, keyed "instrument|tag value" (or just the instrument when untagged by value).</summary>
    private static Dictionary<string, long> Collect(TestMeterFactory meters)
    {
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Created.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => seen[Key(instrument.Name, tags)] = value);
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => seen[Key(instrument.Name, tags)] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    /// <summary>"instrument|value of its own tag"; every measurement must carry the symbol and direction as well (measurement tags, not only the meter's).</summary>
    private static string Key(string instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        KeyValuePair<string, object?>[] all = tags.ToArray();
        Assert.Contains(all, t => t.Key == "gridpositions.symbol" && t.Value is string { Length: > 0 });
        Assert.Contains(all, t => t.Key == "gridpositions.direction" && t.Value is "long" or "short");
        KeyValuePair<string, object?>[] own = [.. all.Where(t => t.Key is not ("gridpositions.symbol" or "gridpositions.direction"))];
        return own.Length == 0 ? instrument : instrument + "|" + own[0].Value;
    }

    /// <summary>Every double measurement (gauges), keyed as <see cref="Key"/>, and how many times each histogram recorded.</summary>
    private static (Dictionary<string, double> Gauges, Dictionary<string, int> Recorded) CollectDoubles(TestMeterFactory meters, Action? whileListening = null)
    {
        var gauges = new Dictionary<string, double>();
        var recorded = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Created.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string key = Key(instrument.Name, tags);
            if (instrument is Histogram<double>)
            {
                recorded[key] = recorded.GetValueOrDefault(key) + 1;
            }
            else
            {
                gauges[key] = value;
            }
        });
        listener.Start();
        whileListening?.Invoke();
        listener.RecordObservableInstruments();
        return (gauges, recorded);
    }

    /// <summary>The part of the host's meter factory a test needs: it creates meters and remembers them.</summary>
    internal sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
