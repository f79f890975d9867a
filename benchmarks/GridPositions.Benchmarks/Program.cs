// Benchmarks (BenchmarkDotNet):  dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- --filter '*' [--job short]
// Tail latency:                  dotnet run -c Release --project benchmarks/GridPositions.Benchmarks -- latency [seconds]
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

IConfig config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.OperationsPerSecond);
BenchmarkSwitcher.FromAssembly(typeof(Floor).Assembly).Run(args, config);
