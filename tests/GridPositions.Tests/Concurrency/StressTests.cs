using GridPositions.Stress;
using Xunit.Abstractions;

namespace GridPositions.Tests.Concurrency;

/// <summary>The stress workload runs alone: it keeps both cores busy, and nothing else should share them meanwhile.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// Ten real threads drive claims, results and early, duplicated and reordered updates against a simulated exchange;
/// then the books must match the exchange's exactly. The rest prove each check fails on the defect it exists for.
/// Rates are printed, never asserted.
/// </summary>
[Collection(nameof(RunsAlone))]
public class StressTests(ITestOutputHelper output)
{
    [Fact]
    public void TenThreadsForThirtySeconds_KeepTheExchangesBooks()
    {
        StressReport report = Run(new StressOptions { Threads = 10, Duration = TimeSpan.FromSeconds(30), Levels = 20, Seed = 7 });

        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Counters.FillsApplied > 1000, $"the workload booked only {report.Counters.FillsApplied} fills");
        Assert.True(report.Counters.UpdatesRedriven > 0, "no update arrived before its order was known: the workload lost its teeth");
        Assert.True(report.Counters.RoundTripsCompleted > 0, "no slot went round trip");
    }

    [Theory]
    [InlineData(GridDirection.Long, 2)]
    [InlineData(GridDirection.Short, 3)]
    public void ManyThreadsOnSixSharedLevels_KeepTheExchangesBooks(GridDirection direction, int seed)
    {
        StressReport report = Run(new StressOptions { Threads = 8, Duration = TimeSpan.FromSeconds(4), Levels = 6, Direction = direction, Seed = seed });

        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Counters.FillsApplied > 1000, $"the workload booked only {report.Counters.FillsApplied} fills");
    }

    [Fact]
    public void LostLastUpdates_FailTheRun_AsLostFillsAndStuckSlots()
    {
        StressReport report = Run(new StressOptions { Threads = 4, Duration = TimeSpan.FromSeconds(3), Seed = 4, Sabotage = StressSabotage.LoseTerminalUpdates });

        Assert.True(report.Sabotaged > 0, "the sabotage never fired");
        Assert.False(report.Passed, report.ToString());
        Assert.Contains(report.Failures, f => f.Contains("which the exchange has closed", StringComparison.Ordinal));
    }

    [Fact]
    public void AFillTheExchangeNeverMade_FailsTheRun_OnInventoryAndPnl()
    {
        StressReport report = Run(new StressOptions { Threads = 4, Duration = TimeSpan.FromSeconds(3), Seed = 5, Sabotage = StressSabotage.PhantomFill });

        Assert.True(report.Sabotaged > 0, "the sabotage never fired");
        Assert.False(report.Passed, report.ToString());
        Assert.Contains(report.Failures, f => f.Contains("inventory = exchange's bought - sold", StringComparison.Ordinal));
        Assert.Contains(report.Failures, f => f.Contains("realised PnL", StringComparison.Ordinal));
    }

    [Fact]
    public void ThreadsThatStopMoving_FailTheRun_WithWhatEachWasDoingAndItsStack()
    {
        StressReport report = Run(new StressOptions
        {
            Threads = 3,
            Duration = TimeSpan.FromMinutes(2),
            StallTimeout = TimeSpan.FromSeconds(2),
            Sabotage = StressSabotage.StallWorkers,
        });

        Assert.False(report.Passed);
        string failure = Assert.Single(report.Failures);
        Assert.StartsWith("no progress for 2 s", failure, StringComparison.Ordinal);
        Assert.Contains("worker 0: in holding the stall gate", failure, StringComparison.Ordinal);
        Assert.Contains("worker 1: in waiting for the stall gate", failure, StringComparison.Ordinal);
        Assert.Contains("stress worker 1 (managed thread", failure, StringComparison.Ordinal); // a real stack, not just a label
        Assert.Contains("GridPositions.Stress.StressRun.Sabotage", failure, StringComparison.Ordinal);
        Assert.True(report.Ran < TimeSpan.FromMinutes(1), "the watchdog let a stalled run carry on"); // not a speed check: minutes of slack
    }

    private StressReport Run(StressOptions options)
    {
        StressReport report = new StressRun(options).Run();
        output.WriteLine(report.ToString());
        return report;
    }
}
