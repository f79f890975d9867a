using System.Globalization;
using GridPositions.Server.Protocol;
using Orleans.TestingHost;

namespace GridPositions.Orleans.Tests;

/// <summary>The manager as a grain: its calls, its durability across reactivation, and the fence a stale activation meets.</summary>
public sealed class PositionGrainTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gp-orleans-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    internal static decimal D(string text) => decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    internal static string T(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    internal static ClaimSlotRequest Place(decimal slot, OrderSide side, decimal price, decimal quantity, string clientOrderId) => new()
    {
        Type = OrderActionType.Place,
        SlotPrice = T(slot),
        Side = side,
        Price = T(price),
        Quantity = T(quantity),
        ClientOrderId = clientOrderId,
    };

    internal static OrderUpdateRequest Fill(string orderId, OrderStatus status, decimal filled, decimal quote, decimal fee) => new()
    {
        OrderId = orderId,
        Status = status,
        CumulativeFilledQuantity = T(filled),
        CumulativeQuoteQuantity = T(quote),
        CumulativeFee = T(fee),
    };

    internal static async Task<Server.Protocol.Action> ClaimAndPlace(IPositionGrain grain, ClaimSlotRequest claim, string orderId)
    {
        ClaimSlotReply reply = (await grain.ClaimSlot(Message.Of(claim))).Value;
        Assert.True(reply.Rejection == ClaimRejectionCode.None, reply.Detail);
        var results = new ApplyActionResultsRequest();
        results.Results.Add(new ActionResult { Action = reply.Action, Outcome = ActionOutcome.Succeeded, OrderId = orderId });
        Disposition placed = Assert.Single((await grain.ApplyActionResults(Message.Of(results))).Value.Outcomes).Disposition;
        Assert.True(placed is Disposition.Applied or Disposition.Duplicate, placed.ToString());
        return reply.Action;
    }

    [Fact]
    public async Task AGrain_BooksARoundTrip_AndAFreshClusterOnTheSameStorage_HasItsBooks()
    {
        TestCluster cluster = await Cluster.StartAsync(_directory);
        try
        {
            IPositionGrain grain = cluster.Grain(0);
            await ClaimAndPlace(grain, Place(100m, OrderSide.Buy, 100m, 1m, "s0-buy"), "B1");
            Assert.Equal(Disposition.Applied, (await grain.OnOrderUpdate(Message.Of(Fill("B1", OrderStatus.Filled, 1m, 100m, 0.1m)))).Value.Disposition);
            await ClaimAndPlace(grain, Place(100m, OrderSide.Sell, 110m, 1m, "s0-sell"), "S1");
            Assert.Equal(Disposition.Applied, (await grain.OnOrderUpdate(Message.Of(Fill("S1", OrderStatus.Filled, 1m, 110m, 0.11m)))).Value.Disposition);
            Assert.Equal(Disposition.Duplicate, (await grain.OnOrderUpdate(Message.Of(Fill("S1", OrderStatus.Filled, 1m, 110m, 0.11m)))).Value.Disposition);
            Assert.Equal(9.79m, D((await grain.GetSlots()).Value.Totals.RealizedPnl));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        TestCluster again = await Cluster.StartAsync(_directory);
        try
        {
            GetSlotsReply slots = (await again.Grain(0).GetSlots()).Value;
            Assert.Equal((9.79m, 1L, 0m), (D(slots.Totals.RealizedPnl), slots.Totals.RoundTrips, D(slots.Totals.Inventory)));
            Assert.Equal(Disposition.Duplicate, (await again.Grain(0).OnOrderUpdate(Message.Of(Fill("S1", OrderStatus.Filled, 1m, 110m, 0.11m)))).Value.Disposition);
        }
        finally
        {
            await again.StopAllSilosAsync();
            await again.DisposeAsync();
        }
    }

    [Fact]
    public async Task AStaleActivation_WhoseWriteTheETagRefuses_AcknowledgesNothing_AndTheLiveBooksStand()
    {
        TestCluster cluster = await Cluster.StartAsync(_directory);
        try
        {
            IPositionGrain grain = cluster.Grain(1);
            await ClaimAndPlace(grain, Place(100m, OrderSide.Buy, 100m, 1m, "s1-buy"), "B1");

            // Another activation of the same grain (after a partition) writes first: its journal moves on without this fill.
            string latest = Directory.EnumerateFiles(_directory, "journal.*S1USDT*.state").Order(StringComparer.Ordinal).Last();
            string[] parts = Path.GetFileName(latest).Split('.');
            long version = long.Parse(parts[^2], CultureInfo.InvariantCulture);
            parts[^2] = (version + 1).ToString("D12", CultureInfo.InvariantCulture);
            File.Copy(latest, Path.Combine(_directory, string.Join('.', parts)));

            // The stale activation books the fill in memory, but its write is refused: the call fails and it deactivates.
            await Assert.ThrowsAnyAsync<Exception>(() => grain.OnOrderUpdate(Message.Of(Fill("B1", OrderStatus.Filled, 1m, 100m, 0.1m))));

            // The live state has no such fill: the next call reaches an activation that read it, and books the fill once.
            GetSlotsReply slots = (await grain.GetSlots()).Value;
            Assert.Equal(0m, D(slots.Totals.Inventory));
            Assert.Equal(Disposition.Applied, (await grain.OnOrderUpdate(Message.Of(Fill("B1", OrderStatus.Filled, 1m, 100m, 0.1m)))).Value.Disposition);
            Assert.Equal(1m, D((await grain.GetSlots()).Value.Totals.Inventory));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
