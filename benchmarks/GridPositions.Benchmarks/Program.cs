// Benchmarks (BenchmarkDotNet):  dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- --filter '*' [--job short]
// Smoke (CI: each once, in process): dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- --filter '*' --job Dry --inProcess
// Tail latency:                  dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- latency [seconds]
// One call three ways (in process, a grain, gRPC): dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- remote [seconds]
// 1, 2 and 3 silos, 1,000 grains:  dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- silos [seconds]
// Chart of the mixed workload:   dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- chart <MixedBenchmarks csv> <svg> [caption]
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using GridPositions.Benchmarks;

if (args is ["latency", ..])
{
    LatencyHarness.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["remote", ..])
{
    await RemoteCalls.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["silos", ..])
{
    await SiloScaling.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["chart", string csv, string svg, ..])
{
    string caption = args.Length > 3 ? args[3] : "";
    foreach ((string name, var points) in ThroughputChart.Write(csv, svg, caption))
    {
        Console.WriteLine($"{name}: {string.Join("  ", points.Select(p => $"{p.Threads} threads {p.OpsPerSecond / 1e6:F2}M ops/s"))}");
    }

    return;
}

IConfig config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.OperationsPerSecond);
IEnumerable<BenchmarkDotNet.Reports.Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Floor).Assembly).Run(args, config);
// A benchmark that could not run (its setup threw, its process crashed) fails the run, so CI's smoke run catches it.
if (summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)))
{
    Console.Error.WriteLine("benchmarks: at least one benchmark failed to run (see the log above)");
    Environment.ExitCode = 1;
}
