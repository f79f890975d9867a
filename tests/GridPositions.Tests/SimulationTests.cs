using GridBot.Simulation;

namespace GridPositions.Tests;

/// <summary>The README's main job: it must pass its own verdict, replay exactly from a seed, and refuse bad options by name.</summary>
public class SimulationTests
{
    private static readonly SimulationOptions s_short = new() { Duration = TimeSpan.FromMinutes(45), ProgressEvery = TimeSpan.Zero };

    [Theory]
    [InlineData(GridDirection.Long)]
    [InlineData(GridDirection.Short)]
    public async Task TheSimulation_EndsWithBooksThatMatchTheExchange(GridDirection direction)
    {
        await using var simulation = new Simulation(s_short with { Direction = direction, Seed = 3 });
        SimulationReport report = simulation.Run();

        Assert.True(report.Passed, report.Describe());
        Assert.True(report.Counters.RoundTripsCompleted > 10, report.Describe());
        Assert.True(report.Counters.UpdatesRedriven > 0, "no update beat its place result: the exchange lost its teeth");
        Assert.True(report.Counters.UpdatesDuplicate > 0, "no duplicate update was delivered");
        Assert.True(report.Timeouts > 0 && report.Rejects > 0, "no timeout or reject happened");
    }

    [Fact]
    public async Task TheSameSeed_GivesTheSameReport_WhateverTheThreadCount()
    {
        string one = await RunAsync(s_short with { Seed = 11, Threads = 1 });
        string four = await RunAsync(s_short with { Seed = 11, Threads = 4 });
        string otherSeed = await RunAsync(s_short with { Seed = 12, Threads = 4 });

        Assert.Equal(Body(one), Body(four));
        Assert.NotEqual(Body(four), Body(otherSeed)); // the seed is what the report depends on
    }

    private static async Task<string> RunAsync(SimulationOptions options)
    {
        await using var simulation = new Simulation(options);
        return simulation.Run().Describe(includeWallTime: false);
    }

    [Theory]
    [InlineData(new[] { "--levels", "1" }, "--levels")]
    [InlineData(new[] { "--spacing", "0.005" }, "--spacing")]
    [InlineData(new[] { "--threads", "0" }, "--threads")]
    [InlineData(new[] { "--minutes", "-3" }, "--minutes")]
    [InlineData(new[] { "--price", "1", "--levels", "20" }, "--price")]
    [InlineData(new[] { "--short", "--levels", "398", "--spacing", "0.5" }, "--price")]
    [InlineData(new[] { "--seed" }, "--seed")]
    [InlineData(new[] { "--seed", "abc" }, "--seed")]
    [InlineData(new[] { "--levels", "99999999999" }, "--levels")]
    [InlineData(new[] { "--minutes", "NaN" }, "--minutes")]
    [InlineData(new[] { "--bogus" }, "--bogus")]
    public void BadOptions_AreRefused_NamingTheFlag(string[] args, string flag)
    {
        var error = Assert.Throws<ArgumentException>(() => SimulationOptions.Parse(args));
        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The report without its first line, which names the thread count.</summary>
    private static string Body(string report) => report[(report.IndexOf('\n', StringComparison.Ordinal) + 1)..];
}
