using System.Diagnostics.Metrics;
using GridPositions.Reconciliation;

namespace GridPositions.Telemetry;

/// <summary>
/// What the manager measures beyond its counters: reconciliation findings by kind (atomic counts) and journal flush
/// times (recorded into the histogram once the instruments are published). Both are written with no lock held.
/// </summary>
internal sealed class Measurements
{
    private static readonly int s_kinds = Enum.GetValues<FindingKind>().Max(k => (int)k) + 1;
    private readonly long[] _findings = new long[s_kinds];
    private Histogram<double>? _flushes;
    private KeyValuePair<string, object?>[] _tags = [];

    /// <summary>Counts a finished pass's findings (after its last lock is released).</summary>
    public void CountFindings(ReconciliationReport report)
    {
        foreach (ReconciliationFinding finding in report.Findings)
        {
            Interlocked.Increment(ref _findings[(int)finding.Kind]);
        }
    }

    public long Findings(FindingKind kind) => Interlocked.Read(ref _findings[(int)kind]);

    /// <summary>Set once, when the instruments are published: flushes are recorded from then on.</summary>
    public void RecordFlushesInto(Histogram<double> flushes, KeyValuePair<string, object?>[] tags)
    {
        _tags = tags;
        Volatile.Write(ref _flushes, flushes);
    }

    /// <summary>Stops recording (the manager is disposed; its instruments report nothing more).</summary>
    public void StopRecording() => Volatile.Write(ref _flushes, null);

    /// <summary>Whether anyone records flush times: the journal reads the clock only then.</summary>
    public bool RecordsFlushes => Volatile.Read(ref _flushes) is { Enabled: true };

    /// <summary>One journal write and its fsync (called by the group-commit leader, with no lock held).</summary>
    public void Flushed(TimeSpan elapsed) => Volatile.Read(ref _flushes)?.Record(elapsed.TotalSeconds, _tags);
}
