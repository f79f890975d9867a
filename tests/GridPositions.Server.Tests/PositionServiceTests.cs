using GridPositions.Server.Protocol;
using GridPositions.Wire;
using Grpc.Core;

namespace GridPositions.Server.Tests;

/// <summary>The position service through a real gRPC client: a grid round trip, retries, concurrent streams, events and every error's status.</summary>
public class PositionServiceTests
{
    private static ClaimSlotRequest Place(decimal slot, OrderSide side, decimal price, decimal quantity, string clientOrderId = "") => new()
    {
        Manager = ServerFixture.Btc,
        Type = OrderActionType.Place,
        SlotPrice = slot.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Side = side,
        Price = price.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Quantity = quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ClientOrderId = clientOrderId,
    };

    private static async Task<Protocol.Action> ClaimAndPlace(PositionService.PositionServiceClient client, ClaimSlotRequest request, string orderId)
    {
        ClaimSlotReply claim = await client.ClaimSlotAsync(request);
        Assert.Equal(ClaimRejectionCode.None, claim.Rejection);
        var results = new ApplyActionResultsRequest { Manager = ServerFixture.Btc };
        results.Results.Add(new ActionResult { Action = claim.Action, Outcome = ActionOutcome.Succeeded, OrderId = orderId });
        ApplyActionResultsReply applied = await client.ApplyActionResultsAsync(results);
        Assert.Equal(Disposition.Applied, Assert.Single(applied.Outcomes).Disposition);
        return claim.Action;
    }

    private static OrderUpdateRequest Update(string orderId, OrderStatus status, string filled, string quote, string fee = "") => new()
    {
        Manager = ServerFixture.Btc,
        OrderId = orderId,
        Status = status,
        CumulativeFilledQuantity = filled,
        CumulativeQuoteQuantity = quote,
        CumulativeFee = fee,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the managers as the grains of the server's own silo
    public async Task AGridRoundTrip_ThroughUnaryCallsAndAClientStream_BooksThePnL_AndTheSnapshotSaysTheSame(bool clustered)
    {
        await using ServerFixture server = await ServerFixture.StartAsync(clustered: clustered);
        PositionService.PositionServiceClient client = server.Client;

        await ClaimAndPlace(client, Place(100m, OrderSide.Buy, 100m, 1m), "X1");
        Assert.Equal(Disposition.Applied, (await client.OnOrderUpdateAsync(Update("X1", OrderStatus.Filled, "1", "100", "0.1"))).Disposition);
        await ClaimAndPlace(client, Place(100m, OrderSide.Sell, 110m, 1m), "X2");

        using (AsyncClientStreamingCall<OrderUpdateRequest, StreamOrderUpdatesReply> stream = client.StreamOrderUpdates())
        {
            await stream.RequestStream.WriteAsync(Update("X2", OrderStatus.PartiallyFilled, "0.4", "44", "0.044"));
            await stream.RequestStream.WriteAsync(Update("X2", OrderStatus.PartiallyFilled, "0.4", "44", "0.044")); // the socket resent it
            await stream.RequestStream.WriteAsync(Update("X2", OrderStatus.Filled, "1", "110", "0.11"));
            await stream.RequestStream.CompleteAsync();
            StreamOrderUpdatesReply counts = await stream;
            Assert.Equal((3L, 2L, 1L), (counts.Received, counts.Applied, counts.Duplicate));
        }

        GetSlotsReply slots = await client.GetSlotsAsync(new GetSlotsRequest { Manager = ServerFixture.Btc });
        SlotInfo slot = Assert.Single(slots.Slots);
        Assert.Equal((100m, SlotStatus.Free, 0m, 9.79m, 1L), (D(slot.Price), slot.Status, D(slot.Inventory), D(slot.RealizedPnl), slot.RoundTrips));
        Assert.Equal(9.79m, D(slots.Totals.RealizedPnl)); // (110 - 100) x 1 - 0.1 - 0.11

        PositionManagerSnapshot snapshot = await client.GetSnapshotAsync(new GetSnapshotRequest { Manager = ServerFixture.Btc });
        Assert.Equal("BTCUSDT", snapshot.Symbol);
        Assert.Equal(9.79m, Assert.Single(snapshot.Slots).RealizedPnl.ToDecimal());
    }

    [Fact]
    public async Task AClaimRetriedWithItsClientOrderId_ReturnsTheOriginalClaim_NotAConflict()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        ClaimSlotRequest request = Place(100m, OrderSide.Buy, 100m, 1m, "btc-retry-1");

        ClaimSlotReply first = await server.Client.ClaimSlotAsync(request);
        ClaimSlotReply retry = await server.Client.ClaimSlotAsync(request);

        Assert.Equal((ClaimRejectionCode.None, false), (first.Rejection, first.Repeated));
        Assert.Equal((ClaimRejectionCode.None, true), (retry.Rejection, retry.Repeated));
        Assert.Equal(first.Action, retry.Action);

        // Once its result names the order, sending the place again would duplicate it: refused, saying why.
        var results = new ApplyActionResultsRequest { Manager = ServerFixture.Btc };
        results.Results.Add(new ActionResult { Action = retry.Action, Outcome = ActionOutcome.Succeeded, OrderId = "X1" });
        await server.Client.ApplyActionResultsAsync(results);
        ClaimSlotReply late = await server.Client.ClaimSlotAsync(request);
        Assert.Equal(ClaimRejectionCode.Invalid, late.Rejection);
        Assert.Contains("the exchange knows it as order X1", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneFill_DeliveredOnTwoConcurrentStreams_IsBookedOnce()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        await ClaimAndPlace(server.Client, Place(100m, OrderSide.Buy, 100m, 1m), "X1");

        async Task<StreamOrderUpdatesReply> Deliver()
        {
            using AsyncClientStreamingCall<OrderUpdateRequest, StreamOrderUpdatesReply> stream = server.Client.StreamOrderUpdates();
            await stream.RequestStream.WriteAsync(Update("X1", OrderStatus.PartiallyFilled, "0.5", "50", "0.05"));
            await stream.RequestStream.WriteAsync(Update("X1", OrderStatus.Filled, "1", "100", "0.1"));
            await stream.RequestStream.CompleteAsync();
            return await stream;
        }

        StreamOrderUpdatesReply[] replies = await Task.WhenAll(new[] { Deliver(), Deliver() });

        Assert.Equal(2L, replies.Sum(r => r.Applied));
        Assert.Equal(2L, replies.Sum(r => r.Duplicate + r.Stale));
        SlotInfo slot = Assert.Single((await server.Client.GetSlotsAsync(new GetSlotsRequest { Manager = ServerFixture.Btc })).Slots);
        Assert.Equal((1m, 100m, 0.1m), (D(slot.Inventory), D(slot.EntryNotional), D(slot.EntryFees)));
    }

    [Fact]
    public async Task WatchEvents_StreamsTheFill_AndTheSlotChange_InOrder()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using AsyncServerStreamingCall<PositionEvent> watch = server.Client.WatchEvents(new WatchEventsRequest { Manager = ServerFixture.Btc }, cancellationToken: cancel.Token);
        await watch.ResponseHeadersAsync; // subscribed: every event from here on is streamed
        Task<bool> first = watch.ResponseStream.MoveNext(cancel.Token);

        await ClaimAndPlace(server.Client, Place(100m, OrderSide.Buy, 100m, 1m), "X1");
        await server.Client.OnOrderUpdateAsync(Update("X1", OrderStatus.Filled, "1", "100", "0.1"));

        var events = new List<PositionEvent>();
        bool more = await first;
        while (more)
        {
            events.Add(watch.ResponseStream.Current);
            if (events.Exists(e => e.Fill is not null))
            {
                break;
            }

            more = await watch.ResponseStream.MoveNext(cancel.Token);
        }

        FillEvent fill = events.Single(e => e.Fill is not null).Fill;
        Assert.Equal((100m, 1m, 100m, 0.1m, 1m), (D(fill.SlotPrice), D(fill.Quantity), D(fill.Notional), D(fill.Fee), D(fill.InventoryAfter)));
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Contains(events, e => e.SlotChanged is { Status: SlotStatus.PendingPlace });
    }

    [Fact]
    public async Task ABadUpdateInAStream_EndsItWithTheIndex_AndWhatCameBeforeItStays()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        await ClaimAndPlace(server.Client, Place(100m, OrderSide.Buy, 100m, 1m), "X1");
        using AsyncClientStreamingCall<OrderUpdateRequest, StreamOrderUpdatesReply> stream = server.Client.StreamOrderUpdates();
        await stream.RequestStream.WriteAsync(Update("X1", OrderStatus.PartiallyFilled, "0.5", "50"));
        await stream.RequestStream.WriteAsync(Update("X1", OrderStatus.PartiallyFilled, "-1", "50"));
        await stream.RequestStream.CompleteAsync();

        RpcException e = await Assert.ThrowsAsync<RpcException>(async () => await stream);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("updates[1] was refused, and the stream ended: ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("updates[1]", e.Trailers.GetValue("field"));
        SlotInfo slot = Assert.Single((await server.Client.GetSlotsAsync(new GetSlotsRequest { Manager = ServerFixture.Btc })).Slots);
        Assert.Equal(0.5m, D(slot.Inventory));
    }

    public static TheoryData<string, StatusCode, string> BadCalls => new()
    {
        { "no manager", StatusCode.InvalidArgument, "manager is missing" },
        { "unknown manager", StatusCode.NotFound, "no manager for other/BTCUSDT/long" },
        { "bad decimal", StatusCode.InvalidArgument, "price is '1e3', not a decimal string" },
        { "missing quantity", StatusCode.InvalidArgument, "quantity is missing" },
        { "bad update", StatusCode.InvalidArgument, "CumulativeFilledQuantity" },
        { "bad result", StatusCode.InvalidArgument, "results[0].action is missing" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task EveryBadCall_GetsAClearStatus_AndChangesNothing(string what, StatusCode code, string detail)
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        PositionService.PositionServiceClient client = server.Client;
        Func<Task> call = what switch
        {
            "no manager" => async () => await client.ClaimSlotAsync(WithoutManager(Place(100m, OrderSide.Buy, 100m, 1m))),
            "unknown manager" => async () => await client.ClaimSlotAsync(WithManager(Place(100m, OrderSide.Buy, 100m, 1m), new ManagerRef { Account = "other", Symbol = "BTCUSDT", Direction = GridDirection.Long })),
            "bad decimal" => async () => await client.ClaimSlotAsync(WithPrice(Place(100m, OrderSide.Buy, 100m, 1m), "1e3")),
            "missing quantity" => async () => await client.ClaimSlotAsync(WithQuantity(Place(100m, OrderSide.Buy, 100m, 1m), "")),
            "bad update" => async () => await client.OnOrderUpdateAsync(Update("X9", OrderStatus.Filled, "-1", "")),
            _ => async () =>
            {
                var request = new ApplyActionResultsRequest { Manager = ServerFixture.Btc };
                request.Results.Add(new ActionResult { Outcome = ActionOutcome.Succeeded, OrderId = "X1" });
                await client.ApplyActionResultsAsync(request);
            },
        };

        RpcException e = await Assert.ThrowsAsync<RpcException>(call);

        Assert.Equal(code, e.StatusCode);
        Assert.Contains(detail, e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await client.GetSlotsAsync(new GetSlotsRequest { Manager = ServerFixture.Btc })).Slots);
    }

    /// <summary>An amount as the wire carries it: exact, at the scale the library holds it ("1.0", "9.790").</summary>
    private static decimal D(string text) => decimal.Parse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture);

    private static ClaimSlotRequest WithoutManager(ClaimSlotRequest r)
    {
        r.Manager = null;
        return r;
    }

    private static ClaimSlotRequest WithManager(ClaimSlotRequest r, ManagerRef manager)
    {
        r.Manager = manager;
        return r;
    }

    private static ClaimSlotRequest WithPrice(ClaimSlotRequest r, string price)
    {
        r.Price = price;
        return r;
    }

    private static ClaimSlotRequest WithQuantity(ClaimSlotRequest r, string quantity)
    {
        r.Quantity = quantity;
        return r;
    }
}
