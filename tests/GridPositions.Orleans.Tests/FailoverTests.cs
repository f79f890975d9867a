using GridPositions.Server.Protocol;
using Orleans.TestingHost;
using Xunit.Abstractions;
using static GridPositions.Orleans.Tests.PositionGrainTests;

namespace GridPositions.Orleans.Tests;

/// <summary>
/// Three silos in process, grains driven by a simulated exchange (early, duplicated updates) while silos are killed
/// and replaced: every grain reactivates elsewhere from storage, and its books equal the exchange's.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output) : IDisposable
{
    private static int s_retried;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gp-failover-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A call retried until a live activation answers it: every call here is idempotent by the library's rules.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is not ArgumentException && attempt < 240)
            {
                Interlocked.Increment(ref s_retried);
                await Task.Delay(250); // a dead silo's grains answer again once membership declares it dead
            }
        }
    }

    private static async Task RoundTrip(IPositionGrain grain, int symbol, int round)
    {
        string buyId = $"B{symbol}-{round}", sellId = $"S{symbol}-{round}";
        ClaimSlotReply buy = (await Retry(() => grain.ClaimSlot(Message.Of(Place(100m, OrderSide.Buy, 100m, 1m, $"s{symbol}-b{round}"))))).Value;
        Assert.True(buy.Rejection == ClaimRejectionCode.None, buy.Detail);

        // On odd rounds the fill comes before the place result (parked by its exchange id, re-driven by the result).
        OrderUpdateRequest partial = Fill(buyId, OrderStatus.PartiallyFilled, 0.5m, 50m, 0.05m), filled = Fill(buyId, OrderStatus.Filled, 1m, 100m, 0.1m);
        if (round % 2 == 1)
        {
            await Retry(() => grain.OnOrderUpdate(Message.Of(filled)));
        }

        var placed = new ApplyActionResultsRequest();
        placed.Results.Add(new ActionResult { Action = buy.Action, Outcome = ActionOutcome.Succeeded, OrderId = buyId });
        Disposition result = Assert.Single((await Retry(() => grain.ApplyActionResults(Message.Of(placed)))).Value.Outcomes).Disposition;
        Assert.True(result is Disposition.Applied or Disposition.Duplicate, result.ToString());
        foreach (OrderUpdateRequest update in new[] { partial, partial, filled, filled })
        {
            Disposition d = (await Retry(() => grain.OnOrderUpdate(Message.Of(update)))).Value.Disposition;
            Assert.True(d is not (Disposition.Rejected or Disposition.Unspecified), d.ToString());
        }

        ClaimSlotReply sell = (await Retry(() => grain.ClaimSlot(Message.Of(Place(100m, OrderSide.Sell, 110m, 1m, $"s{symbol}-s{round}"))))).Value;
        Assert.True(sell.Rejection == ClaimRejectionCode.None, sell.Detail);
        var sold = new ApplyActionResultsRequest();
        sold.Results.Add(new ActionResult { Action = sell.Action, Outcome = ActionOutcome.Succeeded, OrderId = sellId });
        await Retry(() => grain.ApplyActionResults(Message.Of(sold)));
        OrderUpdateRequest sellFilled = Fill(sellId, OrderStatus.Filled, 1m, 110m, 0.11m);
        await Retry(() => grain.OnOrderUpdate(Message.Of(sellFilled)));
        await Retry(() => grain.OnOrderUpdate(Message.Of(sellFilled)));
    }

    [Fact]
    public async Task SilosKilledMidStream_EveryGrainReactivatesElsewhere_AndItsBooksEqualTheExchanges()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("GRIDPOSITIONS_ORLEANS_KILLS"), out int k) ? k : 20;
        TestCluster cluster = await Cluster.StartAsync(_directory, silos: 3);
        try
        {
            using var stop = new CancellationTokenSource();
            int[] rounds = new int[Cluster.Symbols];
            async Task Drive(int symbol)
            {
                IPositionGrain grain = cluster.Grain(symbol);
                while (!stop.IsCancellationRequested || rounds[symbol] < 2)
                {
                    await RoundTrip(grain, symbol, rounds[symbol]);
                    rounds[symbol]++;
                }
            }

            Task[] drivers = [.. Enumerable.Range(0, Cluster.Symbols).Select(Drive)];
            var random = new Random(20261203);
            for (int kill = 0; kill < kills; kill++)
            {
                await Task.Delay(200 + random.Next(300));
                SiloHandle victim = cluster.SecondarySilos[random.Next(cluster.SecondarySilos.Count)];
                await cluster.KillSiloAsync(victim); // no goodbye: its activations die with it
                await cluster.StartAdditionalSiloAsync();
            }

            await stop.CancelAsync();
            await Task.WhenAll(drivers);
            output.WriteLine($"{kills} kills; {rounds.Sum()} round trips over {Cluster.Symbols} grains; {s_retried} calls retried until a live activation answered");
            Assert.True(kills == 0 || s_retried > 0, "no call met a dead silo: the kills did not reach the traffic");

            for (int symbol = 0; symbol < Cluster.Symbols; symbol++)
            {
                GetSlotsReply books = (await Retry(() => cluster.Grain(symbol).GetSlots())).Value;
                int n = rounds[symbol];
                // Each round trip: bought 1 at 100 (fee 0.1), sold it at 110 (fee 0.11), as the exchange filled them.
                Assert.Equal((0m, n * 9.79m, (long)n), (D(books.Totals.Inventory), D(books.Totals.RealizedPnl), books.Totals.RoundTrips));
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
