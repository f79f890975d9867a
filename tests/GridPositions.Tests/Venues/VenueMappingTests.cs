using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GridPositions.Venues;

namespace GridPositions.Tests.Venues;

/// <summary>
/// The venue mapping (samples/VenueMapping) on the payloads the venues publish (tests/Fixtures/venues, SOURCES.md):
/// what each field means, checked by driving a manager with them. Payloads named "derived" start from a published one
/// and change only the fields the test names; the client order id is always the manager's, in place of the docs'.
/// </summary>
public class VenueMappingTests
{
    private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "venues", name);

    private static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!;

    private static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;

    private static PositionManagerOptions Options(string symbol, string baseAsset, string quoteAsset, decimal tick, decimal step) => new()
    {
        Symbol = symbol,
        TickSize = tick,
        QuantityStep = step,
        BaseAsset = baseAsset,
        QuoteAsset = quoteAsset,
        FeesPerTrade = true, // Binance and Bybit (linear, spot) report fees per trade only
    };

    [Theory]
    [InlineData("binance-spot-executionReport")]
    [InlineData("binance-futures-ORDER_TRADE_UPDATE")]
    public void TheFixtures_AreThePublishedExamples_ValueForValue(string name)
    {
        // The .json is the published .jsonc with its comments stripped, nothing else.
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        JsonNode? published = JsonNode.Parse(File.ReadAllText(PathOf(name + ".published.jsonc")), documentOptions: options);
        Assert.True(JsonNode.DeepEquals(published, Load(name + ".json")));
    }

    [Fact]
    public void BinanceSpot_TheDocumentedNewOrder_IsANewUpdate_WithNoTrade()
    {
        OrderUpdate update = Binance.ExecutionReport(Element(Load("binance-spot-executionReport.json")))!.Value; // the WebSocket API's wrapper
        Assert.Equal(
            new OrderUpdate { OrderId = "4293153", ClientOrderId = "mUvoqJxFIILMdfAW5iGSOW", Status = OrderStatus.New, CumulativeQuoteQuantity = 0m },
            update);
    }

    [Fact]
    public void BinanceSpot_TheDocumentedMarketOrder_TwoTradesThenExpired_BooksWhatFilled_AndTheRestAnswerIsADuplicate()
    {
        // LTCBNB: BNB is this market's quote asset, so the BNB commission is a quote fee here.
        var m = new SuperPositionManager(Options("LTCBNB", "LTC", "BNB", 0.0001m, 0.01m));
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(1m, OrderSide.Buy, 1m, 6m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "32")]);

        var stream = (JsonArray)Load("binance-spot-executionReport-market-expired.json");
        var updates = new List<OrderUpdate>();
        foreach (JsonNode? report in stream)
        {
            if (report!["e"]!.GetValue<string>() == "executionReport")
            {
                report["c"] = buy.ClientOrderId;
                if (report["x"]!.GetValue<string>() == "TRADE")
                {
                    decimal last = decimal.Parse(report["Y"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    OrderUpdate trade = Binance.ExecutionReport(Element(report))!.Value;
                    Assert.Equal(last, trade.Trade!.Quantity * trade.Trade.Price); // Y is l x L, the trade's quote
                }
            }

            if (Binance.ExecutionReport(Element(report)) is { } update)
            {
                updates.Add(update);
            }
        }

        Assert.Equal([OrderStatus.New, OrderStatus.PartiallyFilled, OrderStatus.PartiallyFilled, OrderStatus.Expired], updates.Select(u => u.Status)); // the account update is no order's
        Assert.Equal([null, "7", "8", null], updates.Select(u => u.Trade?.TradeId));
        Assert.DoesNotContain(InputDisposition.Rejected, updates.Select(m.OnOrderUpdate));

        SlotView slot = m.GetSlot(1m)!;
        Assert.Equal((SlotStatus.Free, 4m, 4m, 0.002m, 0m), (slot.Status, slot.Inventory, slot.EntryNotional, slot.EntryFees, slot.BaseFees)); // 4 of 6, then expired

        // The REST answer for the same order says the same: a duplicate, and so are its fills (the stream's trades 7 and 8).
        JsonNode rest = Load("binance-spot-rest-market-expired-response.published.json");
        rest["clientOrderId"] = buy.ClientOrderId;
        (ExchangeOrder order, IReadOnlyList<TradeReport> fills) = Binance.Order(Element(rest));
        Assert.Equal((OrderStatus.Expired, 6m, 4m, 4m), (order.Status, order.Quantity, order.CumulativeFilledQuantity, order.CumulativeQuoteQuantity));
        Assert.Equal(InputDisposition.Duplicate, m.OnOrderUpdate(order.ToUpdate()));
        Assert.Equal([("7", "BNB"), ("8", "BNB")], fills.Select(f => (f.TradeId, f.FeeAsset!)));
        Assert.All(fills, f => Assert.Equal(InputDisposition.Duplicate, m.OnTrade(f)));
        Assert.Equal(slot, m.GetSlot(1m));
        Assert.True(m.CheckInvariants().Holds);
    }

    /// <summary>The documented ETHBTC order, derived: filled by one trade whose commission is taken in ETH, what it bought.</summary>
    [Fact]
    public void BinanceSpot_ABuyPayingItsCommissionInTheBaseAsset_HoldsWhatTheAccountReceived()
    {
        var m = new SuperPositionManager(Options("ETHBTC", "ETH", "BTC", 0.00000001m, 0.0001m));
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(0.10264410m, OrderSide.Buy, 0.10264410m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "4293153")]);
        JsonNode report = Load("binance-spot-executionReport.json")["event"]!;
        report["c"] = buy.ClientOrderId;
        (report["x"], report["X"], report["l"], report["z"], report["L"], report["Z"], report["n"], report["N"], report["t"]) =
            ("TRADE", "FILLED", "1.00000000", "1.00000000", "0.10264410", "0.10264410", "0.00100000", "ETH", 100);

        Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(Binance.ExecutionReport(Element(report))!.Value));
        SlotView slot = m.GetSlot(0.10264410m)!;
        Assert.Equal((SlotStatus.Free, 0.999m, 0.001m, 0.10264410m), (slot.Status, slot.Inventory, slot.BaseFees, slot.EntryNotional));
        Assert.True(m.CheckInvariants().Holds);
    }

    /// <summary>
    /// The documented ETHBTC order, derived: a trade of 0.4, then canceled. A cancel's report carries the cancel
    /// request's id in <c>c</c> and the order's in <c>C</c>: matched by <c>c</c> it would name another order.
    /// </summary>
    [Fact]
    public void BinanceSpot_APartialFillThenCancel_BooksThePart_AndTheCancelIsMatchedByTheOrdersOwnClientId()
    {
        var m = new SuperPositionManager(Options("ETHBTC", "ETH", "BTC", 0.00000001m, 0.0001m));
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(0.10264410m, OrderSide.Buy, 0.10264410m, 1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "4293153")]);
        JsonNode trade = Load("binance-spot-executionReport.json")["event"]!;
        trade["c"] = buy.ClientOrderId;
        (trade["x"], trade["X"], trade["l"], trade["z"], trade["L"], trade["Z"], trade["n"], trade["N"], trade["t"]) =
            ("TRADE", "PARTIALLY_FILLED", "0.40000000", "0.40000000", "0.10264410", "0.04105764", "0.00004106", "BTC", 101);
        JsonNode cancel = Load("binance-spot-executionReport.json")["event"]!;
        (cancel["c"], cancel["C"], cancel["x"], cancel["X"], cancel["z"], cancel["Z"]) =
            ("cancelRequest1", buy.ClientOrderId, "CANCELED", "CANCELED", "0.40000000", "0.04105764");

        Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(Binance.ExecutionReport(Element(trade))!.Value));
        OrderUpdate canceled = Binance.ExecutionReport(Element(cancel))!.Value;
        Assert.Equal((buy.ClientOrderId, (TradeFill?)null), (canceled.ClientOrderId!, canceled.Trade));
        Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(canceled));

        SlotView slot = m.GetSlot(0.10264410m)!;
        Assert.Equal((SlotStatus.Free, 0.4m, 0.04105764m, 0.00004106m), (slot.Status, slot.Inventory, slot.EntryNotional, slot.EntryFees));
        Assert.True(m.CheckInvariants().Holds);
    }

    [Fact]
    public void BinanceFutures_TheDocumentedNewOrder_IsANewUpdate_ForTheLongPosition()
    {
        OrderUpdate update = Binance.OrderTradeUpdate(Element(Load("binance-futures-ORDER_TRADE_UPDATE.json")), out PositionSide side)!.Value;
        Assert.Equal(new OrderUpdate { OrderId = "8886774", ClientOrderId = "TEST", Status = OrderStatus.New, CumulativeQuoteQuantity = 0m }, update);
        Assert.Equal(PositionSide.Long, side); // "ps": the hedge-mode position the order belongs to
    }

    /// <summary>
    /// The documented futures event, derived into a buy of 0.003 filled by two trades. The event has no cumulative quote,
    /// only the average price <c>ap</c>, printed rounded: the trades' own <c>l</c> x <c>L</c> are what is booked.
    /// </summary>
    [Fact]
    public void BinanceFutures_TwoTrades_AreBookedAtTheirOwnLastQuantityAndPrice_NotTheRoundedAverage()
    {
        var m = new SuperPositionManager(Options("BTCUSDT", "BTC", "USDT", 0.01m, 0.001m));
        OrderAction buy = m.ClaimSlot(ClaimRequest.Place(7103.05m, OrderSide.Buy, 7103.05m, 0.003m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(buy, "8886774")]);
        JsonNode Trade(string status, string last, string filled, string price, string average, long id, string fee)
        {
            JsonNode e = Load("binance-futures-ORDER_TRADE_UPDATE.json");
            JsonNode o = e["o"]!;
            (o["c"], o["S"], o["o"], o["q"], o["p"], o["x"], o["X"]) = (buy.ClientOrderId, "BUY", "LIMIT", "0.003", "7103.05", "TRADE", status);
            (o["l"], o["z"], o["L"], o["ap"], o["t"], o["n"]) = (last, filled, price, average, id, fee);
            return e;
        }

        JsonNode second = Trade("FILLED", "0.002", "0.003", "7103.05", "7103.04666", 2, "0.00568244");
        OrderUpdate filled = Binance.OrderTradeUpdate(Element(second), out _)!.Value;
        Assert.Equal(21.30913998m, filled.CumulativeQuoteQuantity); // z x ap: the rounded average, off by 0.00000002

        Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(Binance.OrderTradeUpdate(Element(Trade("PARTIALLY_FILLED", "0.001", "0.001", "7103.04", "7103.04", 1, "0.00284122")), out _)!.Value));
        Assert.Equal(InputDisposition.Applied, m.OnOrderUpdate(filled));
        SlotView slot = m.GetSlot(7103.05m)!;
        Assert.Equal((SlotStatus.Free, 0.003m, 21.30914m, 0.00852366m), (slot.Status, slot.Inventory, slot.EntryNotional, slot.EntryFees));
        Assert.True(m.CheckInvariants().Holds);
    }

    [Fact]
    public void Bybit_TheDocumentedOrder_IsAFilledUpdate_WithItsCumulativeFeeOnlyWhenAsked()
    {
        JsonElement message = Element(Load("bybit-order.json"));
        var expected = new OrderUpdate { OrderId = "5cf98598-39a7-459e-97bf-76ca765ee020", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = 75m };
        Assert.Equal([expected], Bybit.Orders(message)); // orderLinkId "" is no client id
        Assert.Equal([expected with { CumulativeFee = 0.358635m }], Bybit.Orders(message, cumulativeFees: true)); // an option: cumExecFee is given; feeCurrency "" is the quote asset
        JsonElement o = message.GetProperty("data")[0];
        Assert.Equal(decimal.Parse(o.GetProperty("avgPrice").GetString()!, CultureInfo.InvariantCulture), expected.CumulativeQuoteQuantity / expected.CumulativeFilledQuantity);
    }

    [Theory]
    [InlineData("BTCUSD", "", "BTC")] // coin-margined: the fee is in the coin, though feeCurrency is left empty
    [InlineData("BTCUSDH25", "", "BTC")]
    [InlineData("BTCUSD", "BTC", "BTC")]
    public void Bybit_AnInverseOrdersCumulativeFee_IsInTheCoinItSettlesIn(string symbol, string feeCurrency, string asset)
    {
        JsonNode message = Load("bybit-order.json");
        JsonNode o = message["data"]![0]!;
        (o["category"], o["symbol"], o["feeCurrency"]) = ("inverse", symbol, feeCurrency);
        OrderUpdate update = Assert.Single(Bybit.Orders(Element(message), cumulativeFees: true));
        Assert.Equal((0.358635m, asset), (update.CumulativeFee, update.FeeAsset));
        Assert.Null(Assert.Single(Bybit.Orders(Element(message))).FeeAsset); // fees per trade: none from the order topic
    }

    [Fact]
    public void BinanceFutures_ATradeChargedNothing_LeavesOutItsCommission_AndIsATradeWithoutAFee()
    {
        JsonNode e = Load("binance-futures-ORDER_TRADE_UPDATE.json");
        JsonObject o = e["o"]!.AsObject();
        (o["x"], o["X"], o["l"], o["z"], o["L"], o["ap"], o["t"]) = ("TRADE", "PARTIALLY_FILLED", "0.001", "0.001", "7103.04", "7103.04", 5);
        o.Remove("n");
        o.Remove("N");
        OrderUpdate update = Binance.OrderTradeUpdate(Element(e), out _)!.Value;
        Assert.Equal(new TradeFill("5", 0.001m, 7103.04m, 0m), update.Trade);
        Assert.Null(update.FeeAsset);
    }

    [Fact]
    public void Bybit_TheDocumentedExecution_IsATrade_ThatClosesALongAtItsPriceLessItsFee()
    {
        var m = new SuperPositionManager(Options("BTCUSDT", "BTC", "USDT", 0.1m, 0.001m));
        OrderAction open = m.ClaimSlot(ClaimRequest.Place(95000m, OrderSide.Buy, 95000m, 0.5m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(open, "open-1")]);
        Assert.Equal(InputDisposition.Applied, m.OnTrade(new TradeReport { OrderId = "open-1", TradeId = "o1", Quantity = 0.5m, Price = 95000m }));

        // "closedSize": 0.5: the execution closed 0.5 of a long position.
        OrderAction close = m.ClaimSlot(ClaimRequest.Close(95000m, 95900.1m)).Action;
        m.ApplyActionResults([OrderActionResult.Placed(close, "9aac161b-8ed6-450d-9cab-c5cc67c21784")]);
        JsonElement message = Element(Load("bybit-execution.json"));
        TradeReport trade = Assert.Single(Bybit.Executions(message));
        Assert.Equal(
            new TradeReport { OrderId = "9aac161b-8ed6-450d-9cab-c5cc67c21784", TradeId = "0ab1bdf7-4219-438b-b30a-32ec863018f7", Quantity = 0.5m, Price = 95900.1m, Fee = 26.3725275m, FeeAsset = "USDT" },
            trade);
        JsonElement e = message.GetProperty("data")[0];
        Assert.Equal(decimal.Parse(e.GetProperty("execValue").GetString()!, CultureInfo.InvariantCulture), trade.Quantity * trade.Price); // execValue is execQty x execPrice

        Assert.Equal(InputDisposition.Applied, m.OnTrade(trade));
        SlotView slot = m.GetSlot(95000m)!;
        Assert.Equal((SlotStatus.Free, PositionStatus.Flat, 47950.05m - 47500m - 26.3725275m), (slot.Status, slot.PositionStatus, slot.RealizedPnl));
        Assert.Equal(InputDisposition.Duplicate, m.OnTrade(trade));
        Assert.True(m.CheckInvariants().Holds);
    }
}
