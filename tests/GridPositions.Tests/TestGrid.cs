using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests;

/// <summary>A manager on a fake clock with helpers that assert each step did what the test expects.</summary>
internal sealed class TestGrid
{
    public TestGrid(GridDirection direction = GridDirection.Long, PositionManagerOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        Options = options ?? new PositionManagerOptions
        {
            Symbol = "BTCUSDT",
            TickSize = 0.01m,
            QuantityStep = 0.001m,
            Direction = direction,
            ParkedUpdateCapacity = 8,
            ParkedUpdateTimeToLive = TimeSpan.FromSeconds(30),
        };
        Manager = new SuperPositionManager(Options, Time, loggerFactory, meterFactory);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public PositionManagerOptions Options { get; }

    public SuperPositionManager Manager { get; }

    private int _nextOrderId = 1000;

    public OrderSide Opening => Manager.OpeningSide;

    public OrderSide Closing => Manager.ClosingSide;

    public string NewOrderId() => "X" + _nextOrderId++;

    /// <summary>Claims an opening place at <paramref name="slot"/> and returns its action (asserting acceptance).</summary>
    public OrderAction ClaimOpen(decimal slot, decimal quantity = 1m, decimal? price = null) =>
        Claim(ClaimRequest.Place(slot, Opening, price ?? slot, quantity));

    /// <summary>Claims a closing place for <paramref name="slot"/> at <paramref name="price"/>.</summary>
    public OrderAction ClaimClose(decimal slot, decimal price, decimal quantity = 1m) =>
        Claim(ClaimRequest.Place(slot, Closing, price, quantity));

    public OrderAction Claim(ClaimRequest request)
    {
        ClaimResult result = Manager.ClaimSlot(request);
        Assert.True(result.IsAccepted, $"claim refused: {result.Rejection} {result.Detail}");
        return result.Action;
    }

    /// <summary>Applies a successful place result with a fresh exchange id and returns that id.</summary>
    public string Place(OrderAction action, string? orderId = null)
    {
        orderId ??= NewOrderId();
        ResultOutcome outcome = Manager.ApplyActionResults([OrderActionResult.Placed(action, orderId)])[0];
        Assert.Equal(InputDisposition.Applied, outcome.Disposition);
        return orderId;
    }

    public InputDisposition Update(OrderAction action, string? orderId, OrderStatus status, decimal cumulative, decimal? quote = null, decimal fee = 0m) =>
        Manager.OnOrderUpdate(Make(action, orderId, status, cumulative, quote, fee));

    public static OrderUpdate Make(OrderAction action, string? orderId, OrderStatus status, decimal cumulative, decimal? quote = null, decimal fee = 0m) => new()
    {
        OrderId = orderId,
        ClientOrderId = action.ClientOrderId,
        Status = status,
        CumulativeFilledQuantity = cumulative,
        CumulativeQuoteQuantity = quote,
        CumulativeFee = fee,
    };

    /// <summary>Opens a position of <paramref name="quantity"/> at <paramref name="slot"/>: claim, place, fill.</summary>
    public (OrderAction Action, string OrderId) OpenFilled(decimal slot, decimal quantity = 1m, decimal fee = 0m)
    {
        OrderAction action = ClaimOpen(slot, quantity);
        string orderId = Place(action);
        Assert.Equal(InputDisposition.Applied, Update(action, orderId, OrderStatus.Filled, quantity, quantity * slot, fee));
        return (action, orderId);
    }

    public SlotView Slot(decimal price) => Manager.GetSlot(price) ?? throw new InvalidOperationException($"no slot at {price}");

    /// <summary>Snapshots the manager and restores the snapshot (which checks it), asserting the restored slots are the same.</summary>
    public void CreateSnapshotAndRestore()
    {
        SuperPositionManager restored = SuperPositionManager.Restore(Manager.CreateSnapshot(), Options, Time);
        Assert.Equal(Manager.GetSlots(), restored.GetSlots());
    }

    public void AssertInvariants()
    {
        InvariantCheckResult check = Manager.CheckInvariants();
        Assert.True(check.Holds, check.Violation);
    }
}
