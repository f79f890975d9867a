using GridPositions;
using GridPositions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

/// <summary>The README's hosted quick start: two symbols in one process, durable, with DI, health and OpenTelemetry.</summary>
internal static class HostedBot
{
    /// <summary>Runs a round trip on BTC and a fill on ETH, stops, starts again on the same stores, and checks what was recovered.</summary>
    public static async Task<bool> RunAsync(string storeDirectory)
    {
        decimal btcPnl, ethHeld;
        using (IHost app = Build(storeDirectory))
        {
            await app.StartAsync(); // opens (recovers) every manager
            var btc = app.Services.GetRequiredKeyedService<SuperPositionManager>("main/BTCUSDT/long");
            var eth = app.Services.GetRequiredKeyedService<SuperPositionManager>("main/ETHUSDT/long");
            PositionHost positions = app.Services.GetRequiredService<PositionHost>();

            // The strategy claims (durable before the order may be sent), the executor reports, the stream fills.
            OrderAction buyBtc = (await btc.ClaimSlotsAsync([ClaimRequest.Place(60_000m, OrderSide.Buy, 60_000m, 0.010m)]))[0].Action;
            OrderAction buyEth = (await eth.ClaimSlotsAsync([ClaimRequest.Place(3_000m, OrderSide.Buy, 3_000m, 0.500m)]))[0].Action;
            await btc.ApplyActionResultsAsync([OrderActionResult.Placed(buyBtc, "B-1")]);
            await eth.ApplyActionResultsAsync([OrderActionResult.Placed(buyEth, "E-1")]);

            // One WebSocket for the account: the host routes each update by its client order id's prefix.
            await positions.OnOrderUpdatesAsync(
            [
                new OrderUpdate { OrderId = "B-1", ClientOrderId = buyBtc.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 0.010m, CumulativeQuoteQuantity = 600m, CumulativeFee = 0.6m },
                new OrderUpdate { OrderId = "E-1", ClientOrderId = buyEth.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 0.500m, CumulativeQuoteQuantity = 1_500m, CumulativeFee = 1.5m },
            ]);
            OrderAction sellBtc = (await btc.ClaimSlotsAsync([ClaimRequest.Place(60_000m, OrderSide.Sell, 60_600m, 0.010m)]))[0].Action;
            await btc.ApplyActionResultsAsync([OrderActionResult.Placed(sellBtc, "B-2")]);
            await positions.OnOrderUpdatesAsync(
            [
                new OrderUpdate { OrderId = "B-2", ClientOrderId = sellBtc.ClientOrderId, Status = OrderStatus.Filled, CumulativeFilledQuantity = 0.010m, CumulativeQuoteQuantity = 606m, CumulativeFee = 0.606m },
            ]);

            HealthReport health = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Console.WriteLine($"health: {health.Status} ({string.Join(", ", health.Entries.Select(e => $"{e.Key} {e.Value.Status}"))})");
            await app.StopAsync(); // flushes and checkpoints every store
            if (health.Status != HealthStatus.Healthy)
            {
                return false;
            }
        }

        using (IHost again = Build(storeDirectory))
        {
            await again.StartAsync(); // recovers both from their stores
            btcPnl = again.Services.GetRequiredKeyedService<SuperPositionManager>("main/BTCUSDT/long").GetTotals().RealizedPnl;
            ethHeld = again.Services.GetRequiredKeyedService<SuperPositionManager>("main/ETHUSDT/long").GetTotals().Inventory;
            await again.StopAsync();
        }

        Console.WriteLine($"after a restart: BTC realised {btcPnl}, ETH holds {ethHeld}");
        return btcPnl == 4.794m && ethHeld == 0.500m; // (60,600 - 60,000) x 0.01 - 0.6 - 0.606
    }

    private static IHost Build(string storeDirectory)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGridPositionsHost(host =>
        {
            host.StoreDirectory = storeDirectory; // one store per manager: <dir>/main/BTCUSDT-long, <dir>/main/ETHUSDT-long
            host.Add("main", new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.1m, QuantityStep = 0.001m, ClientOrderIdPrefix = "btc" })
                .Add("main", new PositionManagerOptions { Symbol = "ETHUSDT", TickSize = 0.01m, QuantityStep = 0.001m, ClientOrderIdPrefix = "eth" });
        });
        builder.Services.AddHealthChecks().AddGridPositionsHost();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(SuperPositionManager.MeterName).AddConsoleExporter());
        return builder.Build();
    }
}
