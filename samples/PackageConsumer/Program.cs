// The README's quick start, run against the packed GridPositions package (not the project): .ci/run packs the
// library into artifacts/packages, restores this project from there, and runs it. Exit code 0 means it all held.
using GridPositions;
using Microsoft.Extensions.DependencyInjection;

var manager = new SuperPositionManager(new PositionManagerOptions
{
    Symbol = "BTCUSDT",
    TickSize = 0.1m,
    QuantityStep = 0.001m,
    Direction = GridDirection.Long,
});

ClaimResult claim = manager.ClaimSlot(ClaimRequest.Place(50_000m, OrderSide.Buy, 50_000m, 0.010m));
if (!claim.TryGetAction(out OrderAction buy))
{
    throw new InvalidOperationException($"claim refused: {claim.Rejection} {claim.Detail}");
}

manager.ApplyActionResults([OrderActionResult.Placed(buy, "EX-1")]);
manager.OnOrderUpdate(new OrderUpdate
{
    OrderId = "EX-1", ClientOrderId = buy.ClientOrderId, Status = OrderStatus.Filled,
    CumulativeFilledQuantity = 0.010m, CumulativeQuoteQuantity = 500.00m, CumulativeFee = 0.50m,
});

OrderAction sell = manager.ClaimSlot(ClaimRequest.Place(50_000m, OrderSide.Sell, 50_500m, 0.010m)).Action;
manager.ApplyActionResults([OrderActionResult.Placed(sell, "EX-2")]);
manager.OnOrderUpdate(new OrderUpdate
{
    OrderId = "EX-2", Status = OrderStatus.Filled,
    CumulativeFilledQuantity = 0.010m, CumulativeQuoteQuantity = 505.00m, CumulativeFee = 0.505m,
});

decimal pnl = manager.GetSlot(50_000m)!.RealizedPnl;
Console.WriteLine($"GridPositions {typeof(SuperPositionManager).Assembly.GetName().Version} from the package: realised PnL {pnl}");

// The DI helper, as a host would use it.
using ServiceProvider services = new ServiceCollection()
    .AddGridPositions(o => { o.Symbol = "ETHUSDT"; o.TickSize = 0.01m; o.QuantityStep = 0.001m; })
    .Services.BuildServiceProvider();
string symbol = services.GetRequiredService<SuperPositionManager>().Options.Symbol;
Console.WriteLine($"resolved a manager for {symbol} from the container");

// The hosted quick start: two symbols, durable stores, DI, health checks and OpenTelemetry, stopped and started again.
string stores = Path.Combine(Path.GetTempPath(), "gridpositions-consumer-" + Guid.NewGuid().ToString("N"));
bool hosted;
try
{
    hosted = await HostedBot.RunAsync(stores);
}
finally
{
    Directory.Delete(stores, recursive: true);
}

bool ok = pnl == 3.995m && symbol == "ETHUSDT" && manager.CheckInvariants().Holds && hosted;
Console.WriteLine(ok ? "package check: PASS" : "package check: FAIL");
return ok ? 0 : 1;
