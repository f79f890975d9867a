// One grid level through a whole round trip: claimed -> live -> filled -> closed, with the realised PnL.
// Run: dotnet run --project samples/QuickStart
using GridPositions;

var manager = new SuperPositionManager(new PositionManagerOptions
{
    Symbol = "BTCUSDT",
    TickSize = 0.1m,
    QuantityStep = 0.001m,
    Direction = GridDirection.Long,
});

// Events are published after the manager's locks are released, on a background task, in order per slot.
manager.RoundTripCompleted += (_, e) => Console.WriteLine($"  event: round trip {e.Number} of slot {e.SlotPrice} realised {e.RealizedPnl}");

void Show(string step)
{
    SlotView slot = manager.GetSlot(50_000m)!;
    Console.WriteLine($"{step,-34} order={slot.Status,-13} position={slot.PositionStatus,-5} inventory={slot.Inventory,-6} realised PnL={slot.RealizedPnl}");
}

// 1. The strategy claims the 50,000 level for a buy. The claim fixes the client order id and a claim token.
//    A refused claim has nothing to send: check it (reading .Action on a refusal throws with the reason).
ClaimResult claim = manager.ClaimSlot(ClaimRequest.Place(50_000m, OrderSide.Buy, 50_000m, 0.010m));
if (!claim.TryGetAction(out OrderAction buy))
{
    throw new InvalidOperationException($"claim refused: {claim.Rejection} {claim.Detail}");
}

Show($"claimed ({buy.ClientOrderId})");

// 2. The REST executor places it; the exchange assigns an id.
manager.ApplyActionResults([OrderActionResult.Placed(buy, "EX-1")]);
Show("live (EX-1)");

// 3. The exchange's stream reports the fill (cumulative quantity, notional and fee).
manager.OnOrderUpdate(new OrderUpdate
{
    OrderId = "EX-1",
    ClientOrderId = buy.ClientOrderId,
    Status = OrderStatus.Filled,
    CumulativeFilledQuantity = 0.010m,
    CumulativeQuoteQuantity = 500.00m,
    CumulativeFee = 0.50m,
});
Show("filled");

// 4. The closing sell rests one level up, at 50,500, but belongs to the 50,000 slot that holds the inventory.
OrderAction sell = manager.ClaimSlot(ClaimRequest.Place(50_000m, OrderSide.Sell, 50_500m, 0.010m)).Action;
manager.ApplyActionResults([OrderActionResult.Placed(sell, "EX-2")]);
Show("closing order live (EX-2 @ 50500)");

// The same fill reported twice (a WebSocket duplicate) is booked once.
for (int i = 0; i < 2; i++)
{
    manager.OnOrderUpdate(new OrderUpdate
    {
        OrderId = "EX-2",
        Status = OrderStatus.Filled,
        CumulativeFilledQuantity = 0.010m,
        CumulativeQuoteQuantity = 505.00m,
        CumulativeFee = 0.505m,
    });
}

Show("closed");
await manager.FlushEventsAsync();

PositionTotals totals = manager.GetTotals();
Console.WriteLine($"Round trips: {totals.RoundTrips}, realised PnL: {totals.RealizedPnl} USDT (505.00 - 500.00 - 0.50 - 0.505)");
Console.WriteLine($"Invariants: {manager.CheckInvariants()}");
Console.WriteLine($"Counters: {manager.Counters}");
