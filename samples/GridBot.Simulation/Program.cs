// The README's main job: a grid bot on a simulated exchange. Try `--help`, or for example
//   dotnet run --project samples/GridBot.Simulation -- --levels 30 --minutes 120 --seed 7 --threads 8
using GridBot.Simulation;

if (args is ["--help" or "-h"])
{
    Console.WriteLine(SimulationOptions.Usage);
    return 0;
}

SimulationOptions options;
try
{
    options = SimulationOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SimulationOptions.Usage);
    return 2;
}

await using var simulation = new Simulation(options, Console.Out);
SimulationReport report = simulation.Run();
Console.WriteLine(report);
return report.Passed ? 0 : 1;
