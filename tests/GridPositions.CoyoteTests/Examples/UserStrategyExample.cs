// README "Exploring interleavings" quotes this file: how to test your own code that drives the manager under Coyote.
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;
using Microsoft.Coyote.Specifications;

namespace GridPositions.CoyoteTests.Examples;

/// <summary>Your code: on every fill report, book it and, if the slot now holds inventory, claim its closing order.</summary>
internal sealed class CloseOnFill(SuperPositionManager manager, decimal spacing)
{
    public int ClosesClaimed;

    public void OnStreamUpdate(OrderUpdate update, decimal slotPrice)
    {
        manager.OnOrderUpdate(update);
        SlotView slot = manager.GetSlot(slotPrice)!;
        if (slot is { Status: SlotStatus.Free, Inventory: > 0 }
            && manager.ClaimSlot(ClaimRequest.Place(slotPrice, OrderSide.Sell, slotPrice + spacing, slot.Inventory)).IsAccepted)
        {
            Interlocked.Increment(ref ClosesClaimed);
        }
    }
}

public class UserStrategyExample
{
    [Fact]
    public void TwoConnectionsReportingTheSameFill_ClaimExactlyOneClose()
    {
        Configuration configuration = Configuration.Create()
            .WithTestingIterations(1000)
            .WithPartiallyControlledConcurrencyAllowed(false);
        using var engine = TestingEngine.Create(configuration, async () =>
        {
            var manager = new SuperPositionManager(new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 1m, QuantityStep = 1m });
            OrderAction buy = manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
            manager.ApplyActionResults([OrderActionResult.Placed(buy, "X1")]);
            var strategy = new CloseOnFill(manager, spacing: 2m);
            var fill = new OrderUpdate { OrderId = "X1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m };

            // Two WebSocket connections deliver the same fill at the same time.
            await Task.WhenAll(new[] { Task.Run(() => strategy.OnStreamUpdate(fill, 100m)), Task.Run(() => strategy.OnStreamUpdate(fill, 100m)) });

            Specification.Assert(strategy.ClosesClaimed == 1, "{0} closing orders claimed for one fill", strategy.ClosesClaimed);
            Specification.Assert(manager.GetSlot(100m)!.Inventory == 1m, "the fill was booked twice");
        });

        engine.Run();

        Assert.True(engine.TestReport.NumOfFoundBugs == 0, $"{engine.TestReport.BugReports.FirstOrDefault()}\n{engine.ReproducibleTrace}");
    }
}
