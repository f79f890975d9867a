namespace GridPositions.Diagnostics;

/// <summary>The manager's counters; names match the properties of <see cref="ManagerCounters"/> and the snapshot's keys.</summary>
internal enum Counter
{
    ClaimsAccepted,
    ClaimsRejected,
    ResultsApplied,
    ResultsDuplicate,
    ResultsStale,
    ResultsRejected,
    UpdatesApplied,
    UpdatesDuplicate,
    UpdatesStale,
    UpdatesRejected,
    UpdatesParked,
    UpdatesRedriven,
    UpdatesExpired,
    Overfills,
    FillsApplied,
    RoundTripsCompleted,
    SubscriberFailures,
}

/// <summary>Lock-free counters (Interlocked), readable at any time.</summary>
internal sealed class CounterSet
{
    private static readonly Counter[] s_all = Enum.GetValues<Counter>();
    private readonly long[] _values = new long[s_all.Length];

    public static IReadOnlyList<Counter> All => s_all;

    public void Increment(Counter counter) => Interlocked.Increment(ref _values[(int)counter]);

    public void Add(Counter counter, long amount)
    {
        if (amount != 0)
        {
            Interlocked.Add(ref _values[(int)counter], amount);
        }
    }

    public long Read(Counter counter) => Interlocked.Read(ref _values[(int)counter]);

    public void Set(Counter counter, long value) => Interlocked.Exchange(ref _values[(int)counter], value);

    public void Count(InputDisposition disposition, bool isUpdate)
    {
        Counter counter = (disposition, isUpdate) switch
        {
            (InputDisposition.Applied, true) => Counter.UpdatesApplied,
            (InputDisposition.Duplicate, true) => Counter.UpdatesDuplicate,
            (InputDisposition.Stale, true) => Counter.UpdatesStale,
            (InputDisposition.Rejected, true) => Counter.UpdatesRejected,
            (InputDisposition.Parked, true) => Counter.UpdatesParked,
            (InputDisposition.Applied, false) => Counter.ResultsApplied,
            (InputDisposition.Duplicate, false) => Counter.ResultsDuplicate,
            (InputDisposition.Stale, false) => Counter.ResultsStale,
            _ => Counter.ResultsRejected,
        };
        Increment(counter);
    }

    public ManagerCounters ToPublic() => new()
    {
        ClaimsAccepted = Read(Counter.ClaimsAccepted),
        ClaimsRejected = Read(Counter.ClaimsRejected),
        ResultsApplied = Read(Counter.ResultsApplied),
        ResultsDuplicate = Read(Counter.ResultsDuplicate),
        ResultsStale = Read(Counter.ResultsStale),
        ResultsRejected = Read(Counter.ResultsRejected),
        UpdatesApplied = Read(Counter.UpdatesApplied),
        UpdatesDuplicate = Read(Counter.UpdatesDuplicate),
        UpdatesStale = Read(Counter.UpdatesStale),
        UpdatesRejected = Read(Counter.UpdatesRejected),
        UpdatesParked = Read(Counter.UpdatesParked),
        UpdatesRedriven = Read(Counter.UpdatesRedriven),
        UpdatesExpired = Read(Counter.UpdatesExpired),
        Overfills = Read(Counter.Overfills),
        FillsApplied = Read(Counter.FillsApplied),
        RoundTripsCompleted = Read(Counter.RoundTripsCompleted),
        SubscriberFailures = Read(Counter.SubscriberFailures),
    };
}
