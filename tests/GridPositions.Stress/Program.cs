// The soak: the stress workload for as long as you like, with progress and a verdict. Usage:
//   dotnet run -c Release --project tests/GridPositions.Stress -- [--minutes N | --seconds N] [--threads N] [--levels N] [--seed N] [--short]
using System.Globalization;
using GridPositions;
using GridPositions.Stress;

var options = new StressOptions();
TimeSpan? duration = null;
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value", nameof(args));
    int Number() => int.Parse(Value(), CultureInfo.InvariantCulture);
    switch (arg)
    {
        case "--minutes": duration = TimeSpan.FromMinutes(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
        case "--seconds": duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
        case "--threads": options = Copy(options, threads: Number()); break;
        case "--levels": options = Copy(options, levels: Number()); break;
        case "--seed": options = Copy(options, seed: Number()); break;
        case "--short": options = Copy(options, direction: GridDirection.Short); break;
        default:
            Console.Error.WriteLine($"unknown argument {arg}; use --minutes N, --seconds N, --threads N, --levels N, --seed N, --short");
            return 2;
    }
}

TimeSpan runFor = duration ?? options.Duration;
options = Copy(options, duration: runFor, progress: p => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"[{p.Elapsed:hh\\:mm\\:ss}] {p.Operations,14:N0} calls  {p.OperationsPerSecond,11:N0}/s  slowest thread {p.SlowestThreadPerSecond,9:N0}/s  fills {p.Counters.FillsApplied,11:N0}  parked {p.Counters.UpdatesParked,9:N0}  expired {p.Counters.UpdatesExpired,7:N0}  heap {p.ManagedMemoryBytes / 1_048_576,5} MiB")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"stress: {options.Threads} threads, {options.Levels} levels, {options.Direction} grid, seed {options.Seed}, for {runFor}; stall timeout {options.StallTimeout.TotalSeconds} s"));
await using var run = new StressRun(options);
StressReport report = run.Run();
Console.WriteLine(report);
return report.Passed ? 0 : 1;

static StressOptions Copy(StressOptions o, int? threads = null, int? levels = null, int? seed = null, GridDirection? direction = null, TimeSpan? duration = null, Action<StressProgress>? progress = null) => new()
{
    Threads = threads ?? o.Threads,
    Levels = levels ?? o.Levels,
    Seed = seed ?? o.Seed,
    Direction = direction ?? o.Direction,
    Duration = duration ?? o.Duration,
    StallTimeout = o.StallTimeout,
    ProgressInterval = o.ProgressInterval,
    Progress = progress ?? o.Progress,
};
