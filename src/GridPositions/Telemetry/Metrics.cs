using System.Diagnostics.Metrics;

namespace GridPositions.Telemetry;

/// <summary>
/// The manager's instruments: observable, so they read the striped counters only when a listener collects, and cost
/// nothing otherwise. Names, units and tags are listed in the README ("Observability").
/// </summary>
internal static class Metrics
{
    /// <summary>Creates the instruments; once the returned registration is retired (the manager disposed) they report nothing.</summary>
    public static Registration Register(IMeterFactory factory, SuperPositionManager manager, string symbol, GridDirection direction)
    {
        var live = new Registration();
        Meter meter = factory.Create(new MeterOptions(SuperPositionManager.MeterName)
        {
            Version = typeof(Metrics).Assembly.GetName().Version?.ToString(),
            Tags = [new("gridpositions.symbol", symbol), new("gridpositions.direction", direction == GridDirection.Long ? "long" : "short")],
        });

        meter.CreateObservableCounter("gridpositions.claims", () =>
        {
            ManagerCounters c = manager.Counters;
            return !live.IsLive ? [] : new[] { Tagged(c.ClaimsAccepted, "gridpositions.outcome", "accepted"), Tagged(c.ClaimsRejected, "gridpositions.outcome", "rejected") };
        }, "{claim}", "Slot claims, by outcome.");

        meter.CreateObservableCounter("gridpositions.results", () =>
        {
            ManagerCounters c = manager.Counters;
            return !live.IsLive ? [] : new[]
            {
                Disposition(c.ResultsApplied, "applied"), Disposition(c.ResultsDuplicate, "duplicate"),
                Disposition(c.ResultsStale, "stale"), Disposition(c.ResultsRejected, "rejected"),
            };
        }, "{result}", "Order action results, by what became of them.");

        meter.CreateObservableCounter("gridpositions.updates", () =>
        {
            ManagerCounters c = manager.Counters;
            return !live.IsLive ? [] : new[]
            {
                Disposition(c.UpdatesApplied, "applied"), Disposition(c.UpdatesDuplicate, "duplicate"),
                Disposition(c.UpdatesStale, "stale"), Disposition(c.UpdatesRejected, "rejected"),
                Disposition(c.UpdatesExpired, "expired"),
            };
        }, "{update}", "Order updates, by what finally became of them (one parked and re-driven counts once, by its outcome).");

        meter.CreateObservableCounter("gridpositions.updates.parked", () => live.One(manager.Counters.UpdatesParked), "{update}", "Updates that arrived before their order was known and were parked.");
        meter.CreateObservableCounter("gridpositions.updates.redriven", () => live.One(manager.Counters.UpdatesRedriven), "{update}", "Parked updates re-applied once their order became known.");
        meter.CreateObservableUpDownCounter("gridpositions.updates.waiting", () => live.One(manager.ParkedUpdateCount), "{update}", "Updates parked right now.");
        meter.CreateObservableCounter("gridpositions.fills", () => live.One(manager.Counters.FillsApplied), "{fill}", "Fills booked (each growth of an order's cumulative fill, once).");
        meter.CreateObservableCounter("gridpositions.overfills", () => live.One(manager.Counters.Overfills), "{update}", "Updates refused for reporting more filled than ordered.");
        meter.CreateObservableCounter("gridpositions.round_trips", () => live.One(manager.Counters.RoundTripsCompleted), "{round_trip}", "Positions closed back to flat.");
        meter.CreateObservableCounter("gridpositions.claims.lapsed", () => live.One(manager.Counters.ClaimsLapsed), "{claim}", "Claims that ended without their result (timeout, lease end, recovery).");
        meter.CreateObservableCounter("gridpositions.store.torn_tails", () => live.One(manager.Counters.TornTailsCut), "{record}", "Torn last journal records cut off at recovery.");
        meter.CreateObservableCounter("gridpositions.subscriber_failures", () => live.One(manager.Counters.SubscriberFailures), "{failure}", "Event subscriber calls that threw.");
        return live;
    }

    private static Measurement<long> Disposition(long value, string disposition) => Tagged(value, "gridpositions.disposition", disposition);

    private static Measurement<long> Tagged(long value, string key, string tag) => new(value, new KeyValuePair<string, object?>(key, tag));

    /// <summary>Whether a manager's instruments still report: a disposed manager's stay on the shared meter but measure nothing.</summary>
    internal sealed class Registration
    {
        private volatile bool _retired;

        public bool IsLive => !_retired;

        public void Retire() => _retired = true;

        public Measurement<T>[] One<T>(T value)
            where T : struct => _retired ? [] : [new Measurement<T>(value)];
    }
}
