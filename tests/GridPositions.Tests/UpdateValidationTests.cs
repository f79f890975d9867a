namespace GridPositions.Tests;

/// <summary>
/// <see cref="SuperPositionManager.OnOrderUpdate"/>'s argument checks: each refusal names the field and the value, and
/// each bound is exactly where <see cref="SuperPositionManager.MaxAmount"/> puts it (at the bound is accepted).
/// </summary>
public class UpdateValidationTests
{
    private static readonly decimal s_max = SuperPositionManager.MaxAmount;

    public static TheoryData<string, OrderUpdate, string> Refused => new()
    {
        { "no id", new OrderUpdate { Status = OrderStatus.New }, "An order update needs an OrderId or a ClientOrderId." },
        { "unknown status", new OrderUpdate { OrderId = "A", Status = (OrderStatus)99 }, "Status must be a known order status; got 99." },
        { "negative fill", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeFilledQuantity = -1m }, "CumulativeFilledQuantity must not be negative; got -1." },
        { "negative notional", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeQuoteQuantity = -2m }, "CumulativeQuoteQuantity must not be negative; got -2." },
        { "fill beyond the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeFilledQuantity = s_max + 1m }, "CumulativeFilledQuantity 1000000000000001 is beyond the bound" },
        { "notional beyond the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeQuoteQuantity = s_max + 1m }, "CumulativeQuoteQuantity 1000000000000001 is beyond the bound" },
        { "fee beyond the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeFee = -s_max - 1m }, "CumulativeFee -1000000000000001 is beyond the bound" },
        { "implied price beyond the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 0.5m, CumulativeQuoteQuantity = (s_max * 0.5m) + 0.01m }, "CumulativeQuoteQuantity 500000000000000.01 for 0.5 filled is a price beyond the bound" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void ABadUpdate_IsRefusedByName_SayingWhatIsWrong_AndNothingChanges(string why, OrderUpdate bad, string expected)
    {
        var grid = new TestGrid();
        var error = Assert.Throws<ArgumentException>("update", () => grid.Manager.OnOrderUpdate(bad));
        Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"{why}: {error.Message}");
        Assert.Equal(0, grid.Manager.Counters.UpdatesParked);
    }

    public static TheoryData<string, OrderUpdate> AtTheBound => new()
    {
        { "fill at the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeFilledQuantity = s_max } },
        { "notional at the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeQuoteQuantity = s_max } },
        { "implied price at the bound", new OrderUpdate { OrderId = "A", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 0.5m, CumulativeQuoteQuantity = s_max * 0.5m } },
        { "a notional with nothing filled", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeQuoteQuantity = 5m } },
        { "a whole unit at the bound's price", new OrderUpdate { OrderId = "A", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = s_max } },
        { "negative zero", new OrderUpdate { OrderId = "A", Status = OrderStatus.New, CumulativeFilledQuantity = -0m, CumulativeQuoteQuantity = -0m } },
    };

    [Theory]
    [MemberData(nameof(AtTheBound))]
    public void AnUpdateAtTheBound_IsAccepted(string why, OrderUpdate update)
    {
        var grid = new TestGrid();
        Assert.True(grid.Manager.OnOrderUpdate(update) == InputDisposition.Parked, why); // no order has that id yet
    }
}
