using System.Numerics;

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
    ClaimsLapsed,
    TornTailsCut,
}

/// <summary>
/// Lock-free counters (Interlocked), readable at any time. Striped by the processor the caller runs on, so threads
/// running at the same time rarely share a stripe's cache lines (a thread id can map two busy threads to one stripe
/// for good); a stale processor id only costs speed, since every increment is atomic. A read sums the stripes, plus
/// the slots' own tallies of applied updates (<see cref="Slots.UpdateTally"/>) once <see cref="IncludeSlotsOf"/> names them.
/// </summary>
internal sealed class CounterSet
{
    private const int Padding = 8; // a cache line of longs before and after each stripe's counters
    private static readonly Counter[] s_all = Enum.GetValues<Counter>();
    private readonly long[][] _stripes;
    private readonly int _mask;
    private Book.SlotBook? _slots;

    public CounterSet()
    {
        int stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 2, 64));
        _mask = stripes - 1;
        _stripes = [.. Enumerable.Range(0, stripes).Select(_ => new long[Padding + s_all.Length + Padding])];
    }

    public static IReadOnlyList<Counter> All => s_all;

    /// <summary>Adds the tallies of <paramref name="book"/>'s slots to every read (set once, as the manager is built).</summary>
    public void IncludeSlotsOf(Book.SlotBook book) => _slots = book;

    public void Increment(Counter counter) => Interlocked.Increment(ref Cell(counter));

    public void Add(Counter counter, long amount)
    {
        if (amount != 0)
        {
            Interlocked.Add(ref Cell(counter), amount);
        }
    }

    public long Read(Counter counter)
    {
        long sum = 0;
        foreach (long[] stripe in _stripes)
        {
            sum += Interlocked.Read(ref stripe[Padding + (int)counter]);
        }

        return sum + SlotTallies(counter);
    }

    /// <summary>Sets a counter (restore: no other thread uses the manager yet, and its slots have counted nothing).</summary>
    public void Set(Counter counter, long value)
    {
        System.Diagnostics.Debug.Assert(SlotTallies(counter) == 0, "a restore sets the counters before any slot counts");
        foreach (long[] stripe in _stripes)
        {
            Interlocked.Exchange(ref stripe[Padding + (int)counter], 0);
        }

        Interlocked.Exchange(ref _stripes[0][Padding + (int)counter], value);
    }

    private long SlotTallies(Counter counter) => _slots is { } book && Slots.UpdateTally.Covers(counter) ? book.SumTallies(counter) : 0;

    private ref long Cell(Counter counter) => ref _stripes[Thread.GetCurrentProcessorId() & _mask][Padding + (int)counter];

    /// <summary>Counts a batch of result outcomes with one increment per kind.</summary>
    public void CountResults(ReadOnlySpan<ResultOutcome> outcomes)
    {
        int applied = 0, duplicate = 0, stale = 0, rejected = 0;
        foreach (ResultOutcome outcome in outcomes)
        {
            switch (outcome.Disposition)
            {
                case InputDisposition.Applied:
                    applied++;
                    break;
                case InputDisposition.Duplicate:
                    duplicate++;
                    break;
                case InputDisposition.Stale:
                    stale++;
                    break;
                default:
                    rejected++;
                    break;
            }
        }

        Add(Counter.ResultsApplied, applied);
        Add(Counter.ResultsDuplicate, duplicate);
        Add(Counter.ResultsStale, stale);
        Add(Counter.ResultsRejected, rejected);
    }

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
        ClaimsLapsed = Read(Counter.ClaimsLapsed),
        TornTailsCut = Read(Counter.TornTailsCut),
    };
}
