// The soak: the stress workload for as long as you like, with progress and a verdict. Usage (--help for all):
//   dotnet run -c Release --project tests/GridPositions.Stress -- [--minutes N | --seconds N] [--threads N] [--levels N] [--seed N] [--short]
using System.CommandLine;
using System.Globalization;
using GridPositions;
using GridPositions.Stress;

var defaults = new StressOptions();
var minutes = new Option<double?>("--minutes") { Description = "run this many minutes" };
var seconds = new Option<double?>("--seconds") { Description = $"run this many seconds (default {defaults.Duration.TotalSeconds})" };
var threads = new Option<int>("--threads") { Description = "worker threads", DefaultValueFactory = _ => defaults.Threads };
var levels = new Option<int>("--levels") { Description = "grid levels the workers share (fewer: more contention)", DefaultValueFactory = _ => defaults.Levels };
var seed = new Option<int>("--seed") { Description = "seeds each worker's random choices", DefaultValueFactory = _ => defaults.Seed };
var shortGrid = new Option<bool>("--short") { Description = "a short grid" };
var command = new RootCommand("The soak: the stress workload, with progress and a verdict.") { minutes, seconds, threads, levels, seed, shortGrid };
command.Validators.Add(result =>
{
    if (result.GetValue(minutes) is not null && result.GetValue(seconds) is not null)
    {
        result.AddError("Give --minutes or --seconds, not both.");
    }

    if ((result.GetValue(minutes) ?? result.GetValue(seconds)) is { } length && (!double.IsFinite(length) || length <= 0))
    {
        result.AddError("--minutes and --seconds must be positive.");
    }
});
command.SetAction(async (parsed, _) =>
{
    TimeSpan runFor = parsed.GetValue(minutes) is { } m ? TimeSpan.FromMinutes(m)
        : parsed.GetValue(seconds) is { } s ? TimeSpan.FromSeconds(s)
        : defaults.Duration;
    if (parsed.GetValue(threads) is < 1 or > 256 || parsed.GetValue(levels) is < 1 or > 100_000)
    {
        Console.Error.WriteLine("--threads must be 1..256 and --levels 1..100000.");
        return 2;
    }

    var options = new StressOptions
    {
        Threads = parsed.GetValue(threads),
        Levels = parsed.GetValue(levels),
        Seed = parsed.GetValue(seed),
        Direction = parsed.GetValue(shortGrid) ? GridDirection.Short : GridDirection.Long,
        Duration = runFor,
        Progress = p => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{p.Elapsed:hh\\:mm\\:ss}] {p.Operations,14:N0} calls  {p.OperationsPerSecond,11:N0}/s  slowest thread {p.SlowestThreadPerSecond,9:N0}/s  fills {p.Counters.FillsApplied,11:N0}  parked {p.Counters.UpdatesParked,9:N0}  expired {p.Counters.UpdatesExpired,7:N0}  heap {p.ManagedMemoryBytes / 1_048_576,5} MiB")),
    };
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"stress: {options.Threads} threads, {options.Levels} levels, {options.Direction} grid, seed {options.Seed}, for {runFor}; stall timeout {options.StallTimeout.TotalSeconds} s"));
    await using var run = new StressRun(options);
    StressReport report = run.Run();
    Console.WriteLine(report);
    return report.Passed ? 0 : 1;
});
return await command.Parse(args).InvokeAsync();
