using System.Diagnostics.Metrics;
using GridPositions.Leases;
using GridPositions.Operations;
using GridPositions.Reconciliation;

namespace GridPositions.Telemetry;

/// <summary>
/// The manager's instruments: observable, so they read the striped counters only when a listener collects, and cost
/// nothing otherwise. Names, units and tags are listed in the README ("Observability").
/// </summary>
internal static class Metrics
{
    /// <summary>Creates the instruments; once the returned registration is retired (the manager disposed) they report nothing.</summary>
    public static Registration Register(IMeterFactory factory, SuperPositionManager manager, ManagerContext context)
    {
        string symbol = context.Settings.Symbol;
        string direction = context.Settings.Direction == GridDirection.Long ? "long" : "short";
        Meter meter = factory.Create(new MeterOptions(SuperPositionManager.MeterName)
        {
            Version = typeof(Metrics).Assembly.GetName().Version?.ToString(),
            Tags = [new(SymbolTag, symbol), new(DirectionTag, direction)],
        });

        // Every measurement carries the symbol and direction too, so a backend that drops meter tags still tells managers apart.
        var live = new Registration(context.Measurements, [new(SymbolTag, symbol), new(DirectionTag, direction)]);
        meter.CreateObservableCounter("gridpositions.claims", () =>
        {
            ManagerCounters c = manager.Counters;
            return live.Many(("gridpositions.outcome", "accepted", c.ClaimsAccepted), ("gridpositions.outcome", "rejected", c.ClaimsRejected));
        }, "{claim}", "Slot claims, by outcome.");

        meter.CreateObservableCounter("gridpositions.results", () =>
        {
            ManagerCounters c = manager.Counters;
            return live.Many(
                (DispositionTag, "applied", c.ResultsApplied), (DispositionTag, "duplicate", c.ResultsDuplicate),
                (DispositionTag, "stale", c.ResultsStale), (DispositionTag, "rejected", c.ResultsRejected));
        }, "{result}", "Order action results, by what became of them.");

        meter.CreateObservableCounter("gridpositions.updates", () =>
        {
            ManagerCounters c = manager.Counters;
            return live.Many(
                (DispositionTag, "applied", c.UpdatesApplied), (DispositionTag, "duplicate", c.UpdatesDuplicate),
                (DispositionTag, "stale", c.UpdatesStale), (DispositionTag, "rejected", c.UpdatesRejected),
                (DispositionTag, "expired", c.UpdatesExpired));
        }, "{update}", "Order updates, by what finally became of them (one parked and re-driven counts once, by its outcome).");

        meter.CreateObservableCounter("gridpositions.updates.parked", () => live.One(manager.Counters.UpdatesParked), "{update}", "Updates that arrived before their order was known and were parked.");
        meter.CreateObservableCounter("gridpositions.updates.redriven", () => live.One(manager.Counters.UpdatesRedriven), "{update}", "Parked updates re-applied once their order became known.");
        meter.CreateObservableUpDownCounter("gridpositions.updates.waiting", () => live.One((long)manager.ParkedUpdateCount), "{update}", "Updates parked right now.");
        meter.CreateObservableCounter("gridpositions.fills", () => live.One(manager.Counters.FillsApplied), "{fill}", "Fills booked (each growth of an order's cumulative fill, once).");
        meter.CreateObservableCounter("gridpositions.overfills", () => live.One(manager.Counters.Overfills), "{update}", "Updates refused for reporting more filled than ordered.");
        meter.CreateObservableCounter("gridpositions.round_trips", () => live.One(manager.Counters.RoundTripsCompleted), "{round_trip}", "Positions closed back to flat.");
        meter.CreateObservableCounter("gridpositions.claims.lapsed", () => live.One(manager.Counters.ClaimsLapsed), "{claim}", "Claims that ended without their result (timeout, lease end, recovery).");
        meter.CreateObservableCounter("gridpositions.store.torn_tails", () => live.One(manager.Counters.TornTailsCut), "{record}", "Torn last journal records cut off at recovery.");
        meter.CreateObservableCounter("gridpositions.subscriber_failures", () => live.One(manager.Counters.SubscriberFailures), "{failure}", "Event subscriber calls that threw.");

        // The books: read slot by slot (each under its own lock, briefly) on the listener's thread, only when collected.
        meter.CreateObservableGauge("gridpositions.inventory", () => live.One((double)manager.GetTotals().Inventory), "{base}", "Quantity held across slots, in the base asset.");
        meter.CreateObservableGauge("gridpositions.pnl.realized", () => live.One((double)manager.GetTotals().RealizedPnl), "{quote}", "Profit realised across slots, net of fees, in the quote asset.");
        meter.CreateObservableUpDownCounter("gridpositions.slots", () => live.BySlot(manager.GetSlots()), "{slot}", "Slots, by status.");
        meter.CreateObservableUpDownCounter("gridpositions.leases", () => live.Leases(manager.GetSlots(), context.Time.GetUtcNow()), "{lease}", "Close and modify leases held now, by kind.");
        meter.CreateObservableCounter("gridpositions.reconciliation.findings", () => live.Findings(context.Measurements), "{finding}", "Reconciliation findings, by kind.");
        meter.CreateObservableGauge("gridpositions.durability.failed", () => live.One(manager.DurabilityFailed ? 1L : 0L), "1", "1 once the journal failed: every durable change is refused until the manager is reopened.");
        context.Measurements.RecordFlushesInto(
            meter.CreateHistogram<double>("gridpositions.journal.flush.duration", "s", "One journal write and its fsync, by the group-commit leader.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_flushBuckets }),
            live.Tags);
        return live;
    }

    internal const string SymbolTag = "gridpositions.symbol";
    internal const string DirectionTag = "gridpositions.direction";
    private const string DispositionTag = "gridpositions.disposition";

    /// <summary>From 50 µs to 1 s: an fsync on a good SSD is 0.1 to 2 ms, a slow disk's tens of ms.</summary>
    private static readonly double[] s_flushBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    /// <summary>Whether a manager's instruments still report (a disposed manager's stay on the shared meter but measure nothing), and the tags every measurement carries.</summary>
    internal sealed class Registration(Measurements measurements, KeyValuePair<string, object?>[] tags)
    {
        private static readonly SlotStatus[] s_statuses = [SlotStatus.Free, SlotStatus.PendingPlace, SlotStatus.Live, SlotStatus.PendingCancel, SlotStatus.Unknown];
        private static readonly FindingKind[] s_kinds = Enum.GetValues<FindingKind>();
        private volatile bool _retired;

        public KeyValuePair<string, object?>[] Tags => tags;

        public bool IsLive => !_retired;

        public void Retire()
        {
            _retired = true;
            measurements.StopRecording();
        }

        public Measurement<T>[] One<T>(T value)
            where T : struct => _retired ? [] : [new Measurement<T>(value, tags)];

        public Measurement<long>[] Many(params ReadOnlySpan<(string Key, string Value, long Count)> values)
        {
            if (_retired)
            {
                return [];
            }

            var measurements = new Measurement<long>[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                measurements[i] = new Measurement<long>(values[i].Count, [.. tags, new(values[i].Key, values[i].Value)]);
            }

            return measurements;
        }

        public Measurement<long>[] BySlot(IReadOnlyList<SlotView> slots) => _retired ? [] :
            [.. s_statuses.Select(status => new Measurement<long>(slots.Count(s => s.Status == status), [.. tags, new("gridpositions.slot.status", Snake(status.ToString()))]))];

        public Measurement<long>[] Leases(IReadOnlyList<SlotView> slots, DateTimeOffset now) => _retired ? [] :
            [.. new[] { LeaseKind.Close, LeaseKind.Modify }.Select(kind => new Measurement<long>(
                slots.Count(s => s.Lease == kind && s.LeaseExpiresAt > now), [.. tags, new("gridpositions.lease.kind", Snake(kind.ToString()))]))];

        public Measurement<long>[] Findings(Measurements counts) => _retired ? [] :
            [.. s_kinds.Select(kind => new Measurement<long>(counts.Findings(kind), [.. tags, new("gridpositions.finding.kind", Snake(kind.ToString()))]))];

        private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
    }
}
