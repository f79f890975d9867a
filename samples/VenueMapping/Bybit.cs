using System.Text.Json;

namespace GridPositions.Venues;

/// <summary>
/// Bybit v5 private <c>order</c> and <c>execution</c> topics. The <c>order</c> topic's cumulative fee
/// (<c>cumExecFee</c>) is only for inverse and option; linear and spot fees come per trade as <c>execFee</c> in
/// <c>feeCurrency</c>, so a manager fed by these sets <see cref="PositionManagerOptions.FeesPerTrade"/>.
/// </summary>
public static class Bybit
{
    /// <summary>
    /// The updates of an <c>order</c> message (one per entry of <c>data</c>; entries whose status the manager has no
    /// use for are left out): <c>orderId</c>, <c>orderLinkId</c> (empty: none), <c>cumExecQty</c>, <c>cumExecValue</c>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cumulativeFees">
    /// Also map <c>cumExecFee</c> (inverse and option only; leave false with <see cref="PositionManagerOptions.FeesPerTrade"/>).
    /// Its asset is <c>feeCurrency</c> when given. When it is empty, an inverse contract's fee is in the coin it settles in
    /// (the base asset: BTC for BTCUSD), and an option's in its quote asset (USDC).
    /// </param>
    public static IReadOnlyList<OrderUpdate> Orders(JsonElement message, bool cumulativeFees = false)
    {
        var updates = new List<OrderUpdate>();
        foreach (JsonElement o in Data(message, "order"))
        {
            if (Status(o.Text("orderStatus")) is { } status)
            {
                updates.Add(new OrderUpdate
                {
                    OrderId = o.Text("orderId"),
                    ClientOrderId = Json.NullIfEmpty(o.Text("orderLinkId")),
                    Status = status,
                    CumulativeFilledQuantity = o.Amount("cumExecQty"),
                    CumulativeQuoteQuantity = o.Amount("cumExecValue"),
                    CumulativeFee = cumulativeFees ? o.Amount("cumExecFee") : 0m,
                    FeeAsset = cumulativeFees ? CumulativeFeeAsset(o) : null,
                });
            }
        }

        return updates;
    }

    /// <summary>
    /// The trades of an <c>execution</c> message: entries with <c>execType</c> <c>Trade</c> (funding, ADL and bust
    /// executions are not the order's trades). <c>execId</c>, <c>execQty</c> at <c>execPrice</c>, <c>execFee</c>
    /// (negative for a maker rebate) in <c>feeCurrency</c>.
    /// </summary>
    /// <remarks><c>extraFees</c> (GST for some regions) are not mapped: the docs do not say whether <c>execFee</c> includes them.</remarks>
    public static IReadOnlyList<TradeReport> Executions(JsonElement message)
    {
        var trades = new List<TradeReport>();
        foreach (JsonElement e in Data(message, "execution"))
        {
            if (e.Text("execType") == "Trade")
            {
                trades.Add(new TradeReport
                {
                    OrderId = e.Text("orderId"),
                    ClientOrderId = Json.NullIfEmpty(e.Text("orderLinkId")),
                    TradeId = e.Text("execId"),
                    Quantity = e.Amount("execQty"),
                    Price = e.Amount("execPrice"),
                    Fee = e.Amount("execFee"),
                    FeeAsset = Json.NullIfEmpty(e.OptionalText("feeCurrency")),
                });
            }
        }

        return trades;
    }

    /// <summary>The asset of an order's <c>cumExecFee</c>: <c>feeCurrency</c>, or for an inverse contract (coin-margined) its base coin; null is the quote asset.</summary>
    private static string? CumulativeFeeAsset(JsonElement o)
    {
        if (Json.NullIfEmpty(o.OptionalText("feeCurrency")) is { } stated)
        {
            return stated;
        }

        if (o.OptionalText("category") != "inverse")
        {
            return null;
        }

        // BTCUSD, BTCUSDH25: the coin before USD, which the contract is margined and settled in.
        string symbol = o.Text("symbol");
        int usd = symbol.IndexOf("USD", StringComparison.Ordinal);
        return usd > 0 ? symbol[..usd] : throw new FormatException($"inverse symbol '{symbol}' does not name its coin before USD; its fee asset is unknown.");
    }

    private static JsonElement.ArrayEnumerator Data(JsonElement message, string topic) =>
        message.Text("topic").StartsWith(topic, StringComparison.Ordinal)
            ? message.GetProperty("data").EnumerateArray()
            : throw new FormatException($"topic '{message.Text("topic")}' is not '{topic}'.");

    /// <summary>An order status, or null for the ones the manager has no use for (untriggered conditional orders).</summary>
    private static OrderStatus? Status(string status) => status switch
    {
        "New" => OrderStatus.New,
        "PartiallyFilled" => OrderStatus.PartiallyFilled,
        "Filled" => OrderStatus.Filled,
        "Cancelled" or "PartiallyFilledCanceled" => OrderStatus.Canceled, // the second: spot, partly filled then canceled
        "Rejected" => OrderStatus.Rejected,
        "Deactivated" => OrderStatus.Canceled, // a conditional order canceled before it triggered
        _ => null,
    };
}
