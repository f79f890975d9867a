using Google.Protobuf.WellKnownTypes;

namespace GridPositions.Wire;

/// <summary>Conversions between the C# API types and the protobuf wire and storage messages.</summary>
public static class WireConvert
{
    private const int MaxDecimalScale = 28;

    /// <summary>Encodes a decimal bit for bit: coefficient, scale and sign (so 100.00 stays 100.00).</summary>
    public static DecimalValue ToWire(this decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        return new DecimalValue
        {
            Low64 = (uint)bits[0] | ((ulong)(uint)bits[1] << 32),
            High32 = (uint)bits[2],
            Scale = (uint)((bits[3] >> 16) & 0xFF),
            Negative = bits[3] < 0,
        };
    }

    /// <summary>Decodes a <see cref="DecimalValue"/>; an absent message is zero.</summary>
    /// <exception cref="FormatException">The scale is above 28.</exception>
    public static decimal ToDecimal(this DecimalValue? value)
    {
        if (value is null)
        {
            return 0m;
        }

        if (value.Scale > MaxDecimalScale)
        {
            throw new FormatException($"DecimalValue scale {value.Scale} is above the maximum of {MaxDecimalScale}.");
        }

        // Stryker disable once Bitwise : Low64 is unsigned, so >> and >>> are the same shift
        return new decimal((int)(uint)value.Low64, (int)(uint)(value.Low64 >> 32), (int)value.High32, value.Negative, (byte)value.Scale);
    }

    /// <summary>The wire form of an action.</summary>
    public static OrderActionMessage ToWire(this OrderAction action) => new()
    {
        Type = action.Type,
        SlotPrice = action.SlotPrice.ToWire(),
        Side = action.Side,
        Price = action.Price.ToWire(),
        Quantity = action.Quantity.ToWire(),
        ClientOrderId = action.ClientOrderId ?? "",
        OrderId = action.OrderId ?? "",
        ClaimToken = action.ClaimToken,
        Role = action.Role,
        ReduceOnly = action.ReduceOnly,
        PostOnly = action.PostOnly,
        TimeInForce = action.TimeInForce,
        PositionSide = action.PositionSide,
    };

    /// <summary>The API form of a wire action.</summary>
    public static OrderAction ToApi(this OrderActionMessage action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new OrderAction(
            action.Type,
            action.SlotPrice.ToDecimal(),
            action.Side,
            action.Price.ToDecimal(),
            action.Quantity.ToDecimal(),
            action.ClientOrderId,
            NullIfEmpty(action.OrderId),
            action.ClaimToken)
        {
            Role = action.Role,
            ReduceOnly = action.ReduceOnly,
            PostOnly = action.PostOnly,
            TimeInForce = action.TimeInForce,
            PositionSide = action.PositionSide,
        };
    }

    /// <summary>The wire form of an action result.</summary>
    public static OrderActionResultMessage ToWire(this OrderActionResult result) => new()
    {
        Action = result.Action.ToWire(),
        Outcome = result.Outcome,
        OrderId = result.OrderId ?? "",
        Error = result.Error ?? "",
    };

    /// <summary>The API form of a wire action result.</summary>
    public static OrderActionResult ToApi(this OrderActionResultMessage result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new OrderActionResult(
            result.Action?.ToApi() ?? default,
            result.Outcome,
            NullIfEmpty(result.OrderId),
            NullIfEmpty(result.Error));
    }

    /// <summary>The wire form of an order update.</summary>
    public static OrderUpdateMessage ToWire(this OrderUpdate update) => new()
    {
        OrderId = update.OrderId ?? "",
        ClientOrderId = update.ClientOrderId ?? "",
        Status = update.Status,
        CumulativeFilledQuantity = update.CumulativeFilledQuantity.ToWire(),
        CumulativeQuoteQuantity = update.CumulativeQuoteQuantity?.ToWire(),
        CumulativeFee = update.CumulativeFee.ToWire(),
        FeeAsset = update.FeeAsset ?? "",
        Trade = update.Trade is not { } trade ? null : new TradeFillMessage
        {
            TradeId = trade.TradeId ?? "",
            Quantity = trade.Quantity.ToWire(),
            Price = trade.Price.ToWire(),
            Fee = trade.Fee.ToWire(),
        },
    };

    /// <summary>The API form of a wire order update.</summary>
    public static OrderUpdate ToApi(this OrderUpdateMessage update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new OrderUpdate
        {
            OrderId = NullIfEmpty(update.OrderId),
            ClientOrderId = NullIfEmpty(update.ClientOrderId),
            Status = update.Status,
            CumulativeFilledQuantity = update.CumulativeFilledQuantity.ToDecimal(),
            CumulativeQuoteQuantity = update.CumulativeQuoteQuantity is null ? null : update.CumulativeQuoteQuantity.ToDecimal(),
            CumulativeFee = update.CumulativeFee.ToDecimal(),
            FeeAsset = NullIfEmpty(update.FeeAsset),
            Trade = update.Trade is not { } trade ? null
                : new TradeFill(trade.TradeId, trade.Quantity.ToDecimal(), trade.Price.ToDecimal(), trade.Fee.ToDecimal()),
        };
    }

    internal static Timestamp ToWire(this DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
