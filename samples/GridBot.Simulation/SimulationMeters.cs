using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace GridBot.Simulation;

/// <summary>The simulation's meter factory for <c>--metrics</c>: it keeps the meters it makes and prints what they measure.</summary>
internal sealed class SimulationMeters : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly Dictionary<string, (long Count, double Sum)> _histograms = [];
    private readonly MeterListener _listener = new();

    public SimulationMeters()
    {
        // Histograms are recorded as they happen (count and sum kept here); the observable instruments are read at the end.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is Histogram<double> && instrument.Meter.Scope == this)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string key = Name(instrument, tags);
            lock (_histograms)
            {
                (long count, double sum) = _histograms.GetValueOrDefault(key);
                _histograms[key] = (count + 1, sum + value);
            }
        });
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        options.Scope = this;
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    /// <summary>Every instrument's measurements now, one line each, sorted.</summary>
    public string Describe()
    {
        var lines = new List<string>();
        using (var reader = new MeterListener())
        {
            reader.InstrumentPublished = (instrument, listener) =>
            {
                if (_meters.Contains(instrument.Meter) && instrument.IsObservable)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            reader.SetMeasurementEventCallback<long>((instrument, value, tags, _) => lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(instrument, tags)} = {value:N0}")));
            reader.SetMeasurementEventCallback<int>((instrument, value, tags, _) => lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(instrument, tags)} = {value:N0}")));
            reader.SetMeasurementEventCallback<double>((instrument, value, tags, _) => lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(instrument, tags)} = {value}")));
            reader.Start();
            reader.RecordObservableInstruments();
        }

        lock (_histograms)
        {
            lines.AddRange(_histograms.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Key} = {h.Value.Count:N0} recorded, mean {h.Value.Sum / h.Value.Count * 1e6:F1} µs")));
        }

        var text = new StringBuilder("metrics (meter GridPositions):");
        foreach (string line in lines.Order(StringComparer.Ordinal))
        {
            text.Append("\n  ").Append(line);
        }

        return text.ToString();
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (Meter meter in _meters)
        {
            meter.Dispose();
        }
    }

    private static string Name(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string[] parts = [.. tags.ToArray().Where(t => t.Key != "gridpositions.direction").Select(t => $"{t.Key.Replace("gridpositions.", string.Empty, StringComparison.Ordinal)}={t.Value}")];
        return parts.Length == 0 ? instrument.Name : $"{instrument.Name}{{{string.Join(",", parts)}}}";
    }
}
