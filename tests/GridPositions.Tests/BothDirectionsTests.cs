using System.Globalization;
using GridPositions.Tests.Telemetry;

namespace GridPositions.Tests;

/// <summary>
/// Issue 12, "short grids in events": every place a realised profit is reported (the slot, the totals, each fill
/// event, the round-trip event and its log line) agrees, for a long grid and its mirror, for a win and for a loss.
/// </summary>
public class BothDirectionsTests
{
    /// <summary>Entry 100, exit <c>100 + move</c> for a long grid and <c>100 - move</c> for a short one; 2 units closed in two fills.</summary>
    public static TheoryData<GridDirection, decimal> Trades => new()
    {
        { GridDirection.Long, 3m },
        { GridDirection.Long, -2m },
        { GridDirection.Short, 3m },
        { GridDirection.Short, -2m },
    };

    [Theory]
    [MemberData(nameof(Trades))]
    public async Task ARoundTrip_ReportsOneProfit_InTheSlotTheTotalsEveryEventAndTheLog(GridDirection direction, decimal move)
    {
        var logs = new RecordingLoggerFactory();
        var grid = new TestGrid(direction, loggerFactory: logs);
        int sign = direction == GridDirection.Long ? 1 : -1;
        decimal exit = 100m + (sign * move);
        var fills = new List<FillAppliedEventArgs>();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.FillApplied += (_, e) => { lock (fills) { fills.Add(e); } };
        grid.Manager.RoundTripCompleted += (_, e) => { lock (trips) { trips.Add(e); } };

        grid.OpenFilled(100m, 2m, fee: 0.2m);
        OrderAction close = grid.ClaimClose(100m, exit, 2m);
        string orderId = grid.Place(close);
        grid.Update(close, orderId, OrderStatus.PartiallyFilled, 1m, quote: exit, fee: 0.1m);
        grid.Update(close, orderId, OrderStatus.Filled, 2m, quote: 2 * exit, fee: 0.2m);
        await grid.Manager.FlushEventsAsync();

        decimal expected = (2 * move) - 0.2m - 0.2m; // the move on 2 units, less the opening and closing fees
        Assert.Equal(expected, grid.Slot(100m).RealizedPnl);
        Assert.Equal(expected, grid.Manager.GetTotals().RealizedPnl);
        Assert.Equal(expected, fills.Where(f => f.Role == OrderRole.Close).Sum(f => f.RealizedPnl));
        Assert.All(fills.Where(f => f.Role == OrderRole.Close), f => Assert.Equal(grid.Closing, f.Side));
        Assert.Equal(0m, fills.Where(f => f.Role == OrderRole.Open).Sum(f => f.RealizedPnl));
        RoundTripCompletedEventArgs trip = Assert.Single(trips);
        Assert.Equal((expected, 2m, 200m, 2 * exit, 0.4m), (trip.RealizedPnl, trip.Quantity, trip.EntryNotional, trip.ExitNotional, trip.Fees));
        Assert.Contains(logs.Entries, e => e.EventId == 5 && e.Message.EndsWith("realised " + expected.ToString(CultureInfo.CurrentCulture), StringComparison.Ordinal));
        grid.AssertInvariants();
    }

    [Theory]
    [InlineData(GridDirection.Long)]
    [InlineData(GridDirection.Short)]
    public void APartialClose_RealisesItsShare_WithTheRightSign(GridDirection direction)
    {
        var grid = new TestGrid(direction);
        int sign = direction == GridDirection.Long ? 1 : -1;
        grid.OpenFilled(100m, 3m, fee: 0.3m);
        OrderAction close = grid.ClaimClose(100m, 100m + sign, 1m);

        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m, quote: 100m + sign, fee: 0.1m);

        Assert.Equal(1m - 0.1m - 0.1m, grid.Slot(100m).RealizedPnl); // 1 unit's move, its share of the opening fee, its own fee
        Assert.Equal((2m, 200m, 0.2m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional, grid.Slot(100m).EntryFees));
        grid.AssertInvariants();
    }
}
