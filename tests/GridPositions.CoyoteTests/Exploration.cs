using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace GridPositions.CoyoteTests;

/// <summary>What one Coyote exploration of a scenario found.</summary>
/// <param name="BugsFound">Bug reports (Coyote stops at the first).</param>
/// <param name="FirstBug">The first bug report, if any.</param>
/// <param name="Trace">A trace that replays the bug, if one was found.</param>
/// <param name="Iterations">Iterations run (up to and including the one that found the bug).</param>
internal sealed record Exploration(int BugsFound, string? FirstBug, string Trace, int Iterations)
{
    public override string ToString() => BugsFound == 0
        ? $"no bug in {Iterations} iterations"
        : $"bug found in iteration {Iterations}: {FirstBug}";
}

/// <summary>Runs scenarios under Coyote with the suite's settings.</summary>
internal static class Explorer
{
    /// <summary>The environment variable that raises the iteration budget for deep runs.</summary>
    public const string IterationsVariable = "GRIDPOSITIONS_COYOTE_ITERATIONS";

    /// <summary>The environment variable naming a trace file to replay instead of exploring.</summary>
    public const string TraceVariable = "GRIDPOSITIONS_COYOTE_TRACE";

    /// <summary>Iterations per scenario: 1000 by default, or the value of <see cref="IterationsVariable"/>.</summary>
    public static uint Iterations =>
        uint.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out uint n) && n > 0 ? n : 1000;

    /// <summary>Explores <paramref name="scenario"/> for <see cref="Iterations"/> iterations (or until the first bug).</summary>
    public static Exploration Explore(Func<Task> scenario, uint? iterations = null) =>
        Run(Strict().WithTestingIterations(iterations ?? Iterations), scenario);

    /// <summary>Replays a trace that <see cref="Explore"/> printed.</summary>
    public static Exploration Replay(Func<Task> scenario, string trace) =>
        Run(Strict().WithReproducibleTrace(trace), scenario);

    /// <summary>
    /// Strict settings: anything Coyote cannot control fails the run instead of hiding bugs; runaway schedules are
    /// bugs; the default (portfolio) strategy.
    /// </summary>
    private static Configuration Strict() => Configuration.Create()
        .WithPartiallyControlledConcurrencyAllowed(false)
        .WithMaxSchedulingSteps(20_000)
        .WithFailureOnMaxStepsBoundEnabled()
        .WithTelemetryEnabled(false);

    /// <summary>Writes a bug's trace under tests/TestResults/coyote and returns the file's full path.</summary>
    public static string SaveTrace(string scenario, string trace)
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "TestResults", "coyote");
        Directory.CreateDirectory(directory);
        string path = Path.GetFullPath(Path.Combine(directory, scenario + ".trace"));
        File.WriteAllText(path, trace);
        return path;
    }

    private static Exploration Run(Configuration configuration, Func<Task> scenario)
    {
        using var engine = TestingEngine.Create(configuration, scenario);
        engine.Run();
        TestReport report = engine.TestReport;
        int iterations = report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
        return new Exploration(report.NumOfFoundBugs, report.BugReports.FirstOrDefault(), engine.ReproducibleTrace, iterations);
    }
}
