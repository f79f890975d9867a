using System.Diagnostics;
using System.Text.Json;
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

        // A long grid's buys pay some fees in the base asset: the verdict's balance check then covers them.
        Assert.True(direction == GridDirection.Short ? report.Totals.BaseFees == 0 : report.Totals.BaseFees > 0, report.Describe());
        Assert.Equal("BNB", Assert.Single(report.Totals.OtherFees).Asset); // and some orders pay in the fee token, kept apart
    }

    [Theory]
    [InlineData(GridDirection.Long)]
    [InlineData(GridDirection.Short)]
    public async Task WithTradeReports_AndFeesPerTradeOnly_TheBooksStillMatchTheExchange(GridDirection direction)
    {
        // Every fill reported with its trade (Binance's executionReport), its fee only there: the verdict checks them all.
        await using var simulation = new Simulation(s_short with { Direction = direction, Seed = 5, TradeReports = true });
        SimulationReport report = simulation.Run();

        Assert.True(report.Passed, report.Describe());
        Assert.True(report.Counters.RoundTripsCompleted > 10 && report.Counters.UpdatesDuplicate > 0, report.Describe());
        Assert.True(direction == GridDirection.Short ? report.Totals.BaseFees == 0 : report.Totals.BaseFees > 0, report.Describe());
        Assert.Equal("BNB", Assert.Single(report.Totals.OtherFees).Asset);
        Assert.True(report.Totals.RealizedPnl != 0, report.Describe());
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
    [InlineData(new[] { "--symbols", "0" }, "--symbols")]
    [InlineData(new[] { "--symbols", "17" }, "--symbols")]
    [InlineData(new[] { "--store", " " }, "--store")]
    public void BadOptions_AreRefused_NamingTheFlag(string[] args, string flag)
    {
        var error = Assert.Throws<ArgumentException>(() => SimulationOptions.Parse(args));
        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralSymbolsUnderOneHost_EachEndWithBooksThatMatchTheirExchange_EveryUpdateRoutedToItsOwnManager()
    {
        await using var simulation = new Simulation(s_short with { Symbols = 3, Seed = 5 });
        IReadOnlyList<SimulationReport> reports = simulation.RunAll();

        Assert.Equal(["SIMUSDT", "SIM2USDT", "SIM3USDT"], reports.Select(r => r.Symbol));
        Assert.All(reports, r => Assert.True(r.Passed, r.Describe()));
        Assert.All(reports, r => Assert.True(r.Counters.RoundTripsCompleted > 10, r.Describe()));
        Assert.Equal(3, reports.Select(r => r.Totals).Distinct().Count()); // three markets, not one three times
        Assert.Throws<InvalidOperationException>(() => simulation.Run());
    }

    [Fact]
    public async Task OnAStore_TheVerdictHolds_AndTheStoresRecoverWhatTheManagersHeld()
    {
        using var stores = new Persistence.StoreDirectory();
        IReadOnlyList<SimulationReport> reports;
        await using (var simulation = new Simulation(s_short with { Symbols = 2, StoreDirectory = stores.Path, Seed = 8 }))
        {
            reports = simulation.RunAll();
        }

        Assert.All(reports, r => Assert.True(r.Passed, r.Describe()));
        foreach (SimulationReport report in reports)
        {
            using FilePositionStore store = FilePositionStore.Open(Path.Combine(stores.Path, "sim", $"{report.Symbol}-long"));
            await using SuperPositionManager recovered = SuperPositionManager.Open(store, new PositionManagerOptions { Symbol = report.Symbol, TickSize = Simulation.TickSize, QuantityStep = Simulation.QuantityStep });
            Assert.Equal(report.Totals, recovered.GetTotals());
        }

        var reuse = Assert.Throws<ArgumentException>(() => new Simulation(SimulationOptions.Parse(["--store", stores.Path])));
        Assert.Contains("finished", reuse.Message, StringComparison.Ordinal);
        string foreign = Path.Combine(Path.GetTempPath(), "gridpositions-foreign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "notes.txt"), "not a simulation's");
        try
        {
            Assert.Contains("--store", Assert.Throws<ArgumentException>(() => SimulationOptions.Parse(["--store", foreign])).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(foreign, recursive: true);
        }
    }

    [Fact]
    public async Task AStoreRunKilledWithSigkill_ResumesOnItsStore_AndTheVerdictStillHolds()
    {
        using var dir = new Persistence.StoreDirectory();
        string state = Path.Combine(dir.Path, "exchange.json");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "GridBot.Simulation.dll"), "--store", dir.Path, "--quiet", "--threads", "2", "--save-every", "120" })
        {
            start.ArgumentList.Add(argument);
        }

        using (Process run = Process.Start(start)!)
        {
            // Kill it once its saved exchange is ten simulated minutes in (well into the four hours), partway to the next
            // save: saves two simulated minutes apart leave the bot's claims, and the orders and fills the exchange made
            // since the last save, to lose, so a resumed exchange that had told the bot of them would disagree with it.
            var waited = Stopwatch.StartNew();
            while (SavedAt(state) < 600_000 && !run.HasExited && waited.Elapsed < TimeSpan.FromSeconds(90))
            {
                Thread.Sleep(20);
            }

            Thread.Sleep(40); // about a third of a save's interval at this speed
            if (run.HasExited)
            {
                Assert.Fail("the run ended before it could be killed: " + run.StandardError.ReadToEnd()); // read only now: it waits for the end
            }

            run.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no flushes
            run.WaitForExit();
        }

        await using (var resumed = new Simulation(new SimulationOptions { StoreDirectory = dir.Path, Threads = 2, ProgressEvery = TimeSpan.Zero }))
        {
            SimulationReport report = resumed.Run();

            Assert.True(report.Passed, report.Describe());
            Assert.True(report.ResumedAt >= TimeSpan.FromMinutes(10), report.Describe());
            Assert.Contains("resumed at", report.Describe(), StringComparison.Ordinal);
            Assert.True(report.Counters.RoundTripsCompleted > 0, report.Describe());
        }

        var finished = Assert.Throws<ArgumentException>(() => new Simulation(new SimulationOptions { StoreDirectory = dir.Path }));
        Assert.Contains("finished", finished.Message, StringComparison.Ordinal);

        static long SavedAt(string path)
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(path));
                return json.RootElement.GetProperty("NowMs").GetInt64();
            }
            catch (IOException)
            {
                return -1; // not written yet
            }
        }
    }

    [Fact]
    public void TheNewFlags_Parse()
    {
        SimulationOptions options = SimulationOptions.Parse(["--symbols", "4", "--metrics", "--quiet", "--short", "--trade-reports"]);

        Assert.Equal(4, options.Symbols);
        Assert.True(options.Metrics);
        Assert.Equal(TimeSpan.Zero, options.ProgressEvery);
        Assert.Equal(GridDirection.Short, options.Direction);
        Assert.Null(options.StoreDirectory);
        Assert.True(options.TradeReports);
        Assert.Equal(new SimulationOptions(), SimulationOptions.Parse([]));
    }

    /// <summary>The report without its first line, which names the thread count.</summary>
    private static string Body(string report) => report[(report.IndexOf('\n', StringComparison.Ordinal) + 1)..];
}
