using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>The public conversions between API types and wire messages: every field survives the round trip, and "none" stays none.</summary>
public class WireConvertTests
{
    private static readonly GridPositions.OrderAction s_place = new(OrderActionType.Place, 100m, OrderSide.Buy, 99.50m, 0.250m, "gp-7", null, 7);
    private static readonly GridPositions.OrderAction s_cancel = new(OrderActionType.Cancel, 101m, OrderSide.Sell, 102.00m, 1.5m, "gp-8", "X8", 9);

    [Fact]
    public void Actions_RoundTrip_FieldForField_WithAMissingOrderIdStayingMissing()
    {
        OrderActionMessage wire = s_place.ToWire();
        Assert.Equal("gp-7", wire.ClientOrderId);
        Assert.Equal("", wire.OrderId);
        Assert.Equal(s_place, wire.ToApi());
        Assert.Equal("99.50", wire.ToApi().Price.ToString(System.Globalization.CultureInfo.InvariantCulture)); // the scale survives
        Assert.Equal(s_cancel, s_cancel.ToWire().ToApi());
        Assert.Equal("X8", s_cancel.ToWire().OrderId);
        Assert.Throws<ArgumentNullException>("action", () => ((OrderActionMessage)null!).ToApi());
    }

    [Fact]
    public void Results_RoundTrip_WithTheirOptionalIdAndErrorStayingMissing()
    {
        GridPositions.OrderActionResult placed = OrderActionResult.Placed(s_place, "X1");
        GridPositions.OrderActionResult failed = OrderActionResult.Failed(s_place, "insufficient balance");
        GridPositions.OrderActionResult bare = new(s_place, ActionOutcome.Ambiguous);
        Assert.Equal(placed, placed.ToWire().ToApi());
        Assert.Equal(failed, failed.ToWire().ToApi());
        Assert.Equal(bare, bare.ToWire().ToApi());
        Assert.Equal(("", ""), (bare.ToWire().OrderId, bare.ToWire().Error));
        Assert.Equal(("X1", "insufficient balance"), (placed.ToWire().OrderId, failed.ToWire().Error));
        Assert.Equal(default, new OrderActionResultMessage { Outcome = ActionOutcome.Failed }.ToApi().Action);
        Assert.Throws<ArgumentNullException>("result", () => ((OrderActionResultMessage)null!).ToApi());
    }

    [Fact]
    public void Updates_RoundTrip_WithEitherIdAndAnAbsentNotionalStayingMissing()
    {
        var byOrderId = new GridPositions.OrderUpdate { OrderId = "X1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 0.5m, CumulativeQuoteQuantity = 49.75m, CumulativeFee = -0.01m };
        var byClientId = new GridPositions.OrderUpdate { ClientOrderId = "gp-7", Status = OrderStatus.New };
        Assert.Equal(byOrderId, byOrderId.ToWire().ToApi());
        Assert.Equal(byClientId, byClientId.ToWire().ToApi());
        Assert.Equal(("X1", ""), (byOrderId.ToWire().OrderId, byOrderId.ToWire().ClientOrderId));
        Assert.Equal(("", "gp-7"), (byClientId.ToWire().OrderId, byClientId.ToWire().ClientOrderId));
        Assert.Null(byClientId.ToWire().CumulativeQuoteQuantity);
        Assert.Throws<ArgumentNullException>("update", () => ((OrderUpdateMessage)null!).ToApi());
    }

    [Fact]
    public void ADecimalWithAScaleAbove28_IsAFormatError_SayingSo()
    {
        var error = Assert.Throws<FormatException>(() => new DecimalValue { Low64 = 1, Scale = 29 }.ToDecimal());
        Assert.Equal("DecimalValue scale 29 is above the maximum of 28.", error.Message);
        Assert.Equal(0m, ((DecimalValue?)null).ToDecimal());
        Assert.Equal(-79_228_162_514_264_337_593_543_950_335m, decimal.MinValue.ToWire().ToDecimal());
    }
}
