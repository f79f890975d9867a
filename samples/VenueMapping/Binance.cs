using System.Text.Json;

namespace GridPositions.Venues;

/// <summary>
/// Binance spot <c>executionReport</c>, USDⓈ-M futures <c>ORDER_TRADE_UPDATE</c> and the spot REST order. Binance
/// reports each trade's commission (<c>n</c> in <c>N</c>) and no cumulative one, so a manager fed by these sets
/// <see cref="PositionManagerOptions.FeesPerTrade"/>; every trade report carries the order's totals as well, so one
/// update holds both.
/// </summary>
public static class Binance
{
    /// <summary>
    /// The update an <c>executionReport</c> stands for, or null for another event or a status the manager has no use for
    /// (<c>PENDING_NEW</c>, <c>PENDING_CANCEL</c>). Accepts the event itself or the WebSocket API's
    /// <c>{"subscriptionId", "event"}</c> wrapper.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>i</c> is the order id; <c>c</c> the client order id, except on a cancel, whose <c>c</c> is the cancel
    /// request's own id and <c>C</c> the order's.</item>
    /// <item><c>z</c>/<c>Z</c> are the cumulative quantity and quote; <c>X</c> the order's status.</item>
    /// <item>With <c>x</c> = <c>TRADE</c> the report is also a trade: <c>t</c>, <c>l</c> at <c>L</c>, commission <c>n</c>
    /// in <c>N</c> (the base asset on a buy that paid in what it bought, the quote asset, or BNB).</item>
    /// </list>
    /// </remarks>
    public static OrderUpdate? ExecutionReport(JsonElement report)
    {
        if (report.TryGetProperty("event", out JsonElement wrapped))
        {
            report = wrapped;
        }

        if (report.Text("e") != "executionReport" || Status(report.Text("X")) is not { } status)
        {
            return null;
        }

        string client = status == OrderStatus.Canceled && report.OptionalText("C") is { Length: > 0 } original ? original : report.Text("c");
        return new OrderUpdate
        {
            OrderId = report.Text("i"),
            ClientOrderId = Json.NullIfEmpty(client),
            Status = status,
            CumulativeFilledQuantity = report.Amount("z"),
            CumulativeQuoteQuantity = report.Amount("Z"),
            FeeAsset = report.Text("x") == "TRADE" ? report.OptionalText("N") : null,
            Trade = report.Text("x") == "TRADE" ? new TradeFill(report.Text("t"), report.Amount("l"), report.Amount("L"), report.OptionalAmount("n")) : null,
        };
    }

    /// <summary>
    /// The update an <c>ORDER_TRADE_UPDATE</c> stands for, or null for another event or status. Its order is under
    /// <c>o</c>; it has no cumulative quote, only the average price <c>ap</c>, so the cumulative notional is
    /// <c>z</c> x <c>ap</c> and a trade's exact <c>l</c> x <c>L</c> is what the manager books when both are there.
    /// </summary>
    /// <param name="update">The event.</param>
    /// <param name="positionSide">The order's position side (<c>ps</c>: BOTH in one-way mode, LONG or SHORT in hedge mode).</param>
    public static OrderUpdate? OrderTradeUpdate(JsonElement update, out PositionSide positionSide)
    {
        positionSide = PositionSide.Unspecified;
        if (update.Text("e") != "ORDER_TRADE_UPDATE")
        {
            return null;
        }

        JsonElement o = update.GetProperty("o");
        positionSide = o.Text("ps") switch { "LONG" => PositionSide.Long, "SHORT" => PositionSide.Short, "BOTH" => PositionSide.Both, _ => PositionSide.Unspecified };
        if (Status(o.Text("X")) is not { } status)
        {
            return null;
        }

        decimal filled = o.Amount("z");
        bool trade = o.Text("x") == "TRADE";
        return new OrderUpdate
        {
            OrderId = o.Text("i"),
            ClientOrderId = Json.NullIfEmpty(o.Text("c")),
            Status = status,
            CumulativeFilledQuantity = filled,
            CumulativeQuoteQuantity = filled * o.Amount("ap"),
            FeeAsset = trade ? o.OptionalText("N") : null, // n and N are left out of a trade charged nothing
            Trade = trade ? new TradeFill(o.Text("t"), o.Amount("l"), o.Amount("L"), o.OptionalAmount("n")) : null,
        };
    }

    /// <summary>
    /// A spot REST order (<c>GET /api/v3/order</c>, or a place response) as the exchange's order, for reconciliation, and
    /// the trades of its <c>fills</c> (a FULL place response), which are the stream's trades by the same ids.
    /// </summary>
    public static (ExchangeOrder Order, IReadOnlyList<TradeReport> Trades) Order(JsonElement order)
    {
        string orderId = order.Text("orderId"), client = order.Text("clientOrderId");
        OrderStatus status = Status(order.Text("status")) ?? throw new FormatException($"status '{order.Text("status")}' is not one an order ends or rests in.");
        var exchangeOrder = new ExchangeOrder(
            orderId,
            Json.NullIfEmpty(client),
            order.Text("side") == "BUY" ? OrderSide.Buy : OrderSide.Sell,
            order.Amount("price"),
            order.Amount("origQty"),
            status,
            order.Amount("executedQty"),
            order.Amount("cummulativeQuoteQty"));
        var trades = new List<TradeReport>();
        if (order.TryGetProperty("fills", out JsonElement fills))
        {
            foreach (JsonElement fill in fills.EnumerateArray())
            {
                trades.Add(new TradeReport
                {
                    OrderId = orderId,
                    ClientOrderId = Json.NullIfEmpty(client),
                    TradeId = fill.Text("tradeId"),
                    Quantity = fill.Amount("qty"),
                    Price = fill.Amount("price"),
                    Fee = fill.Amount("commission"),
                    FeeAsset = fill.OptionalText("commissionAsset"),
                });
            }
        }

        return (exchangeOrder, trades);
    }

    /// <summary>An order status (<c>X</c>, <c>status</c>), or null for the transient ones.</summary>
    private static OrderStatus? Status(string status) => status switch
    {
        "NEW" => OrderStatus.New,
        "PARTIALLY_FILLED" => OrderStatus.PartiallyFilled,
        "FILLED" => OrderStatus.Filled,
        "CANCELED" => OrderStatus.Canceled,
        "REJECTED" => OrderStatus.Rejected,
        "EXPIRED" or "EXPIRED_IN_MATCH" => OrderStatus.Expired, // EXPIRED_IN_MATCH: expired by self-trade prevention
        _ => null,
    };
}
