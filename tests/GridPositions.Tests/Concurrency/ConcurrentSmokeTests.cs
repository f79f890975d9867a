using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Concurrency;

/// <summary>
/// Real threads hammer a handful of shared slots with claims, results and updates (early, duplicated, reordered).
/// Afterwards every invariant must hold, every input must be accounted for, and the books must match the exchange's.
/// </summary>
public class ConcurrentSmokeTests
{
    private static readonly decimal[] s_levels = [100m, 101m, 102m, 103m, 104m, 105m];

    [Theory]
    [InlineData(GridDirection.Long, 1)]
    [InlineData(GridDirection.Short, 2)]
    public async Task ThreadsHammeringSharedSlots_LeaveConsistentConservedBooks(GridDirection direction, int seed)
    {
        var time = new FakeTimeProvider(); // never advanced: nothing expires, so nothing may be lost
        var manager = new SuperPositionManager(new PositionManagerOptions
        {
            Symbol = "SMOKE",
            TickSize = 1m,
            QuantityStep = 1m,
            Direction = direction,
            ParkedUpdateCapacity = 1_000_000,
        }, time);
        var exchange = new SimulatedExchange();
        int threads = Math.Clamp(Environment.ProcessorCount, 2, 8) * 2;
        const int opsPerThread = 20_000;

        Task[] workers = Enumerable.Range(0, threads)
            .Select(t => Task.Factory.StartNew(() => Work(manager, exchange, new Random((seed * 1000) + t), opsPerThread), TaskCreationOptions.LongRunning))
            .ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2)); // a deadlock guard, not a speed check

        foreach (object message in exchange.DrainWithFinalWord())
        {
            Deliver(manager, exchange, message, new Random(0));
        }

        InvariantCheckResult check = manager.CheckInvariants();
        Assert.True(check.Holds, check.Violation);

        ManagerCounters c = manager.Counters;
        Assert.Equal(exchange.ClaimsMade, c.ClaimsAccepted + c.ClaimsRejected);
        Assert.Equal(exchange.ResultsDelivered, c.ResultsApplied + c.ResultsDuplicate + c.ResultsStale + c.ResultsRejected);
        Assert.Equal(exchange.UpdatesDelivered, c.UpdatesApplied + c.UpdatesDuplicate + c.UpdatesStale + c.UpdatesRejected + c.UpdatesExpired + manager.ParkedUpdateCount);
        Assert.True(c.FillsApplied > 100, $"the workload booked only {c.FillsApplied} fills");

        int sign = direction == GridDirection.Long ? 1 : -1;
        foreach (SlotView slot in manager.GetSlots())
        {
            (decimal net, decimal entry, decimal exit, decimal fees) = exchange.Books(slot.Price, manager.OpeningSide);
            Assert.Equal(net, slot.Inventory);
            if (slot.Inventory == 0)
            {
                Assert.Equal((sign * (exit - entry)) - fees, slot.RealizedPnl);
            }
        }
    }

    private static void Work(SuperPositionManager manager, SimulatedExchange exchange, Random random, int ops)
    {
        for (int i = 0; i < ops; i++)
        {
            switch (random.Next(10))
            {
                case 0 or 1:
                    Claim(manager, exchange, random);
                    break;
                case 2 or 3:
                    exchange.ExecuteOne(random);
                    break;
                case 4:
                    exchange.FillOne(random);
                    break;
                default:
                    if (exchange.TakeMessage(random) is { } message)
                    {
                        Deliver(manager, exchange, message, random);
                    }

                    break;
            }
        }
    }

    private static void Claim(SuperPositionManager manager, SimulatedExchange exchange, Random random)
    {
        decimal level = s_levels[random.Next(s_levels.Length)];
        ClaimRequest request;
        if (random.Next(6) == 0)
        {
            request = ClaimRequest.Cancel(level);
        }
        else
        {
            decimal held = manager.GetSlot(level)?.Inventory ?? 0m;
            request = held > 0
                ? ClaimRequest.Place(level, manager.ClosingSide, level + (manager.OpeningSide == OrderSide.Buy ? 2 : -2), held)
                : ClaimRequest.Place(level, manager.OpeningSide, level, 1 + random.Next(3));
        }

        Interlocked.Increment(ref exchange.ClaimsMade);
        ClaimResult result = manager.ClaimSlot(request);
        if (result.IsAccepted)
        {
            exchange.Claimed(result.Action);
        }
    }

    private static void Deliver(SuperPositionManager manager, SimulatedExchange exchange, object message, Random random)
    {
        if (message is OrderUpdate update)
        {
            Interlocked.Increment(ref exchange.UpdatesDelivered);
            manager.OnOrderUpdate(update);
            return;
        }

        Interlocked.Increment(ref exchange.ResultsDelivered);
        ResultOutcome outcome = manager.ApplyActionResults([(OrderActionResult)message])[0];
        if (outcome.CancelToIssue is { } orphan)
        {
            exchange.CancelOrphan(orphan, random);
        }
    }
}
