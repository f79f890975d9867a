// The README's main job: a grid bot on a simulated exchange. Try `--help`, or for example
//   dotnet run --project samples/GridBot.Simulation -- --levels 30 --minutes 120 --seed 7 --threads 8
//   dotnet run --project samples/GridBot.Simulation -- --symbols 3 --store /tmp/sim-store --metrics
using System.CommandLine;
using GridBot.Simulation;

RootCommand command = SimulationOptions.CreateCommand();
command.SetAction(async (parsed, _) =>
{
    SimulationOptions options;
    try
    {
        options = SimulationOptions.From(parsed);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message);
        return 2;
    }

    await using var simulation = new Simulation(options, Console.Out);
    IReadOnlyList<SimulationReport> reports = simulation.RunAll();
    foreach (SimulationReport report in reports)
    {
        Console.WriteLine(report);
    }

    if (options.Metrics)
    {
        Console.WriteLine(simulation.DescribeMetrics());
    }

    return reports.All(r => r.Passed) ? 0 : 1;
});
return await command.Parse(args).InvokeAsync();
