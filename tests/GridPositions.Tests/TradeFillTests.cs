using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// Per-trade fills: trades are deduplicated by id per order; an order's fill is booked from whichever is ahead, its
/// cumulative reports or the sum of its trades, so either stream, or both in any order of arrival, end at the same
/// books; fees come from one source (<see cref="PositionManagerOptions.FeesPerTrade"/>), even when they arrive after
/// the order finished. What cannot be booked changes nothing.
/// </summary>
public class TradeFillTests
{
    private static PositionManagerOptions Spot(bool feesPerTrade) => new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        BaseAsset = "BTC",
        QuoteAsset = "USDT",
        FeesPerTrade = feesPerTrade,
        ParkedUpdateCapacity = 8,
        ParkedUpdateTimeToLive = TimeSpan.FromSeconds(30),
    };

    private static OrderUpdate Trade(OrderAction action, string? orderId, string tradeId, decimal quantity, decimal price, decimal fee = 0m, string? asset = null) =>
        new TradeReport { OrderId = orderId, ClientOrderId = action.ClientOrderId, TradeId = tradeId, Quantity = quantity, Price = price, Fee = fee, FeeAsset = asset }.ToUpdate();

    private static OrderUpdate Report(OrderAction action, string orderId, OrderStatus status, decimal cumulative, decimal quote, decimal fee = 0m, string? asset = null) =>
        TestGrid.Make(action, orderId, status, cumulative, quote, fee) with { FeeAsset = asset };

    private static IEnumerable<T[]> Permutations<T>(T[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            T[] rest = [.. items[..i], .. items[(i + 1)..]];
            foreach (T[] tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    private static readonly string[] s_reports = ["C1", "C2", "T1", "T2"];

    /// <summary>
    /// One buy of 1 at 100 filled by two trades, t1 0.4 at 100 and t2 0.6 at 101, reported by both streams: every order
    /// of arrival of all four reports, and each stream alone in either order, then everything again.
    /// </summary>
    [Theory]
    [InlineData(true, "USDT")]
    [InlineData(false, "USDT")]
    [InlineData(true, "BTC")]
    [InlineData(false, "BTC")]
    [InlineData(true, "BNB")]
    public void EitherStream_OrBoth_InAnyOrderOfArrival_BookTheSameFill_AndTheFeeSourceBooksEveryFee(bool feesPerTrade, string asset)
    {
        // The fees: 0.04 and 0.06 in the quote asset, 0.0004 and 0.0006 in BTC, 0.0001 and 0.00015 in BNB.
        (decimal fee1, decimal fee2) = asset switch { "USDT" => (0.04m, 0.06m), "BTC" => (0.0004m, 0.0006m), _ => (0.0001m, 0.00015m) };
        var sequences = new List<string[]>();
        sequences.AddRange(Permutations(s_reports));
        sequences.AddRange([["C1", "C2"], ["C2", "C1"], ["T1", "T2"], ["T2", "T1"]]);
        foreach (string[] sequence in sequences)
        {
            var grid = new TestGrid(options: Spot(feesPerTrade));
            OrderAction buy = grid.ClaimOpen(100m, 1m);
            string id = grid.Place(buy);
            OrderUpdate Of(string name) => name switch
            {
                "C1" => Report(buy, id, OrderStatus.PartiallyFilled, 0.4m, 40m, feesPerTrade ? 0m : fee1, asset),
                "C2" => Report(buy, id, OrderStatus.Filled, 1m, 100.6m, feesPerTrade ? 0m : fee1 + fee2, asset),
                "T1" => Trade(buy, id, "t1", 0.4m, 100m, feesPerTrade ? fee1 : 0m, asset),
                _ => Trade(buy, id, "t2", 0.6m, 101m, feesPerTrade ? fee2 : 0m, asset),
            };

            foreach (string name in sequence.Concat(sequence))
            {
                InputDisposition d = grid.Manager.OnOrderUpdate(Of(name));
                Assert.True(d is InputDisposition.Applied or InputDisposition.Duplicate, $"{string.Join(",", sequence)}: {name} was {d}");
                grid.AssertInvariants();
            }

            bool feesDelivered = feesPerTrade ? sequence.Contains("T1") : sequence.Contains("C2");
            (decimal quote, decimal baseFee, decimal other) = !feesDelivered ? (0m, 0m, 0m) : asset switch
            {
                "USDT" => (fee1 + fee2, 0m, 0m),
                "BTC" => (0m, fee1 + fee2, 0m),
                _ => (0m, 0m, fee1 + fee2),
            };
            SlotView slot = grid.Slot(100m);
            string at = string.Join(",", sequence);
            // Trades that fill the order end it only when they carry its fees; otherwise its terminal report does.
            bool ended = sequence.Contains("C2") || (feesPerTrade && sequence.Contains("T1") && sequence.Contains("T2"));
            Assert.True((slot.Status == SlotStatus.Free) == ended, $"{at}: {slot.Status}");
            Assert.Equal((at, 1m - baseFee, 100.6m, quote, baseFee), (at, slot.Inventory, slot.EntryNotional, slot.EntryFees, slot.BaseFees));
            Assert.Equal(other, slot.OtherFees.Sum(f => f.Amount));
            grid.CreateSnapshotAndRestore();
        }
    }

    [Fact]
    public async Task TradesAlone_BookTheOrder_FinishItWhenItIsFull_AndARepeatedTradeIsADuplicate()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        var fills = new List<FillAppliedEventArgs>();
        grid.Manager.FillApplied += (_, e) => fills.Add(e);
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);

        Assert.Equal(InputDisposition.Applied, grid.Manager.OnTrade(new TradeReport { OrderId = id, TradeId = "t1", Quantity = 0.4m, Price = 100m, Fee = 0.04m }));
        SlotView half = grid.Slot(100m);
        Assert.Equal((SlotStatus.Live, 0.4m, 40m, 0.04m), (half.Status, half.Inventory, half.EntryNotional, half.EntryFees));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnTrade(new TradeReport { OrderId = id, TradeId = "t1", Quantity = 0.4m, Price = 100m, Fee = 0.04m }));
        Assert.Equal(half, grid.Slot(100m));

        Assert.Equal(InputDisposition.Applied, grid.Manager.OnTrade(new TradeReport { ClientOrderId = buy.ClientOrderId, TradeId = "t2", Quantity = 0.6m, Price = 101m, Fee = 0.0606m }));
        SlotView full = grid.Slot(100m);
        Assert.Equal((SlotStatus.Free, 1m, 100.6m, 0.1006m), (full.Status, full.Inventory, full.EntryNotional, full.EntryFees));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.Filled, 1m, 100.6m))); // the order stream catching up
        grid.AssertInvariants();

        await grid.Manager.FlushEventsAsync();
        Assert.Equal([("t1", 0.4m, 40m, 0.04m), ("t2", 0.6m, 60.6m, 0.0606m)], fills.Select(f => (f.TradeId!, f.Quantity, f.Notional, f.Fee)));
    }

    [Fact]
    public async Task AFeeThatArrivesAfterItsFill_IsBookedAlone_AsAFillOfQuantityZero()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        var fills = new List<FillAppliedEventArgs>();
        grid.Manager.FillApplied += (_, e) => fills.Add(e);
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.Filled, 1m, 100m)));

        // The trade stream trails the order stream: the order is finished, but its trade still pays its fee in BTC.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 1m, 100m, 0.001m, "BTC")));
        SlotView slot = grid.Slot(100m);
        Assert.Equal((0.999m, 0.001m, 100m), (slot.Inventory, slot.BaseFees, slot.EntryNotional));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 1m, 100m, 0.001m, "BTC")));
        grid.AssertInvariants();

        await grid.Manager.FlushEventsAsync();
        Assert.Equal([(1m, 0m, (string?)null), (0m, 0.001m, "t1")], fills.Select(f => (f.Quantity, f.Fee, f.TradeId)));
    }

    [Fact]
    public void InFeesPerTradeMode_OneOrdersTradesMayPayDifferentAssets()
    {
        // Binance charges BNB while the account holds it, then the received asset.
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.5m, 100m, 0.0001m, "BNB")));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t2", 0.5m, 100m, 0.0005m, "BTC")));

        SlotView slot = grid.Slot(100m);
        Assert.Equal((0.9995m, 0.0005m), (slot.Inventory, slot.BaseFees));
        Assert.Equal([new AssetAmount("BNB", 0.0001m)], slot.OtherFees);
        grid.AssertInvariants();
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public async Task ALateQuoteFeeOfAClosedPosition_IsRealised_AndBelongsToNoRoundTrip()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.RoundTripCompleted += (_, e) => trips.Add(e);
        (OrderAction _, string _) = grid.OpenFilled(100m, 1m);
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(sell, sellId, OrderStatus.Filled, 1m, 110m)));
        Assert.Equal(10m, grid.Slot(100m).RealizedPnl);

        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(sell, sellId, "s1", 1m, 110m, 0.11m)));
        SlotView flat = grid.Slot(100m);
        Assert.Equal((PositionStatus.Flat, 0m, 9.89m, 1L), (flat.PositionStatus, flat.Inventory, flat.RealizedPnl, flat.RoundTrips));
        grid.AssertInvariants();

        // The next round trip holds only its own fees.
        (OrderAction _, string _) = grid.OpenFilled(100m, 1m);
        OrderAction again = grid.ClaimClose(100m, 110m, 1m);
        string againId = grid.Place(again);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(again, againId, OrderStatus.Filled, 1m, 110m)));
        Assert.Equal(19.89m, grid.Slot(100m).RealizedPnl);
        grid.AssertInvariants();
        await grid.Manager.FlushEventsAsync();
        Assert.Equal([(10m, 0m), (10m, 0m)], trips.Select(t => (t.RealizedPnl, t.Fees)));
    }

    [Fact]
    public void AShortsLateBaseFee_AfterItsCloseFlattenedTheSlot_HoldsWhatTheAccountOwes_AtNoCost()
    {
        PositionManagerOptions options = Spot(feesPerTrade: true);
        options.Direction = GridDirection.Short;
        var grid = new TestGrid(options: options);
        (OrderAction _, string _) = grid.OpenFilled(100m, 1m); // sold 1 for 100
        OrderAction buy = grid.ClaimClose(100m, 90m, 1m);
        string buyId = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, buyId, OrderStatus.Filled, 1m, 90m)));
        Assert.Equal((0m, 10m), (grid.Slot(100m).Inventory, grid.Slot(100m).RealizedPnl));

        // The buy's trade took its fee in BTC: 0.999 received, so the account still owes 0.001.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "b1", 1m, 90m, 0.001m, "BTC")));
        SlotView slot = grid.Slot(100m);
        Assert.Equal((0.001m, 0.001m, 0m, 10m), (slot.Inventory, slot.BaseFees, slot.EntryNotional, slot.RealizedPnl));
        grid.AssertInvariants();
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public void ALateFeeOfAClosedPosition_LeavesTheNextPositionsParametersAlone()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        (OrderAction _, string _) = grid.OpenFilled(100m, 1m);
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(sell, sellId, OrderStatus.Filled, 1m, 110m)));
        OrderAction next = grid.Claim(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m) with { Leverage = 3, StopLossFraction = 0.05m });

        // The sell's trade comes after the next opening claim: its fee is realised, and the new claim keeps what it asked for.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(sell, sellId, "s1", 1m, 110m, 0.11m)));
        SlotView slot = grid.Slot(100m);
        Assert.Equal((9.89m, 3, 0.05m, next.ClientOrderId), (slot.RealizedPnl, slot.Leverage, slot.StopLossFraction, slot.Order!.ClientOrderId));
        grid.AssertInvariants();
    }

    [Fact]
    public void ALateBaseFee_WhileAnotherOrderIsLive_OrOnAFlatSlot_IsRejected_AndChangesNothing()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string buyId = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, buyId, OrderStatus.Filled, 1m, 100m)));
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        grid.Place(sell);
        SlotView before = grid.Slot(100m);

        // The closing sell of 1 counts on the inventory; a late BTC fee of the buy would leave it short.
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "t1", 1m, 100m, 0.001m, "BTC")));
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public void TradesBeyondTheOrder_OrBeyondAFinishedOrdersFill_OrOfAnOrderTheExecutorFailed_AreRejected_AndChangeNothing()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.7m, 100m)));
        SlotView before = grid.Slot(100m);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, id, "t2", 0.4m, 100m))); // 1.1 of 1
        Assert.Equal(before, grid.Slot(100m));

        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.Canceled, 0.7m, 70m)));
        SlotView finished = grid.Slot(100m);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, id, "t3", 0.1m, 100m))); // finished with 0.7
        Assert.Equal(finished, grid.Slot(100m));

        OrderAction failed = grid.ClaimOpen(99m, 1m);
        Assert.Equal(InputDisposition.Applied, grid.Manager.ApplyActionResults([OrderActionResult.Failed(failed, "insufficient balance")])[0].Disposition);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(failed, null, "f1", 0.1m, 99m)));
        Assert.Equal(0m, grid.Slot(99m).Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void ATradeWhoseNotionalIsBehindTheBookedFill_IsRejected_AndChangesNothing()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.PartiallyFilled, 0.5m, 50m)));
        SlotView before = grid.Slot(100m);

        // Trades of 0.6 for 30 in all: ahead by quantity, but 0.1 more for less notional is no price at all.
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.6m, 50m)));
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnOrdersTradesAreBounded_ThePastTheLimitOneIsRejected()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 10m);
        string id = grid.Place(buy);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t" + i, 0.001m, 100m)));
        }

        SlotView before = grid.Slot(100m);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1000", 0.001m, 100m)));
        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(1m, before.Inventory);
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public void AnEarlyTrade_IsParked_ThenBookedWhenThePlaceResultNamesItsOrder()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnTrade(new TradeReport { OrderId = "X-early", TradeId = "t1", Quantity = 1m, Price = 100m, Fee = 0.1m }));
        grid.Place(buy, "X-early");

        SlotView slot = grid.Slot(100m);
        Assert.Equal((SlotStatus.Free, 1m, 0.1m), (slot.Status, slot.Inventory, slot.EntryFees));
        grid.AssertInvariants();
    }

    [Fact]
    public void TradeIds_SurviveARestore_SoAReplayedTradeIsStillADuplicate()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.5m, 100m, 0.05m)));
        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);

        Assert.Equal(InputDisposition.Duplicate, restored.OnOrderUpdate(Trade(buy, id, "t1", 0.5m, 100m, 0.05m)));
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(Trade(buy, id, "t2", 0.5m, 100m, 0.05m)));
        Assert.Equal(InputDisposition.Duplicate, restored.OnOrderUpdate(Trade(buy, id, "t2", 0.5m, 100m, 0.05m))); // of the finished order now
        SlotView slot = restored.GetSlot(100m)!;
        Assert.Equal((SlotStatus.Free, 1m, 0.1m), (slot.Status, slot.Inventory, slot.EntryFees));
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void AStoreWhoseLiveOrderBooksFeesFromTheOtherSource_IsRefused_NamingTheOption()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        grid.Place(buy);
        PositionManagerOptions other = Spot(feesPerTrade: false);

        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), other, grid.Time));
        Assert.Contains("FeesPerTrade", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATradeBehindTheReports_IsStillCounted_SoTheNextTradeBooksWhatTheReportsHaveNotSaid()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.PartiallyFilled, 0.5m, 50m)));

        // t1 is the 0.5 the report already booked: nothing to book, but it is the order's, and counts (Applied, journaled).
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.5m, 100m)));
        Assert.Equal(0.5m, grid.Slot(100m).Inventory);
        SuperPositionManager restored = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), grid.Options, grid.Time);
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(Trade(buy, id, "t2", 0.5m, 100m))); // 1 in trades: ahead of the report
        Assert.Equal((1m, 100m), (restored.GetSlot(100m)!.Inventory, restored.GetSlot(100m)!.EntryNotional));
    }

    [Fact]
    public void OnATie_WhatIsBookedStays_EvenIfTheOtherSourceSaysAnotherNotional()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.PartiallyFilled, 0.5m, 50m)));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.5m, 101m))); // the same 0.5, said at 50.5
        Assert.Equal((0.5m, 50m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.Filled, 1m, 100m)));
        Assert.Equal((1m, 100m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryNotional)); // the growth is from what was booked
        grid.AssertInvariants();
    }

    [Fact]
    public void ATradeOverfill_IsCountedAsOne()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 1.5m, 100m)));
        Assert.Equal(1, grid.Manager.Counters.Overfills);
    }

    [Fact]
    public void ALateQuoteFee_WhileAnotherOrderIsLive_IsBooked_AndOnAFlatSlotItIsRealised()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string buyId = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, buyId, OrderStatus.Filled, 1m, 100m)));
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        string sellId = grid.Place(sell);

        // The sell is live: the buy's late quote fee is still the buy's entry cost.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "b1", 0.6m, 100m, 0.06m)));
        Assert.Equal(0.06m, grid.Slot(100m).EntryFees);

        // The sell fills all (its terminal report is still to come) and the buy's last fee arrives on the flat slot: realised.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(sell, sellId, OrderStatus.PartiallyFilled, 1m, 110m)));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "b2", 0.4m, 100m, 0.04m)));
        SlotView flat = grid.Slot(100m);
        Assert.Equal((0m, 0m, 10m - 0.06m - 0.04m), (flat.Inventory, flat.EntryFees, flat.RealizedPnl));
        grid.AssertInvariants();
    }

    [Fact]
    public void ACumulativeBaseFee_IsWithinTheFillItReports_NotOnlyItsGrowthWithinTheFillsGrowth()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        (OrderAction _, string _) = grid.OpenFilled(100m, 10m);
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(sell, sellId, OrderStatus.PartiallyFilled, 0.5m, 55m, 0.4m, "BTC")));
        SlotView before = grid.Slot(100m);

        // 0.3 more fee on 0.1 more fill fits nowhere: 0.7 in all on a fill of 0.6.
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Report(sell, sellId, OrderStatus.PartiallyFilled, 0.6m, 66m, 0.7m, "BTC")));
        Assert.Equal(before, grid.Slot(100m));
    }

    [Fact]
    public void AStoreFromBeforeTradesWereKept_Restores_ItsBaseFeesAndFinishedOrderDerived()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction first = grid.ClaimOpen(100m, 1m);
        string firstId = grid.Place(first);
        OrderUpdate last = Report(first, firstId, OrderStatus.Filled, 1m, 100m);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(last));
        OrderAction buy = grid.ClaimOpen(101m, 2m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.PartiallyFilled, 1m, 101m, 0.001m, "BTC")));

        // As written before: no base fees on the order, no finished order kept whole.
        PositionManagerSnapshot old = grid.Manager.CreateSnapshot();
        InventorySlot live = old.Slots.Single(x => x.Price.ToDecimal() == 101m), done = old.Slots.Single(x => x.Price.ToDecimal() == 100m);
        (live.Order.BaseFees, live.Order.ReportedQuantity, done.LastOrder.Order) = (null, null, null);
        SuperPositionManager restored = SuperPositionManager.Restore(old, grid.Options, grid.Time);

        Assert.True(restored.CheckInvariants().Holds, restored.CheckInvariants().Violation);
        Assert.Equal(InputDisposition.Duplicate, restored.OnOrderUpdate(last)); // still known as the slot's finished order
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(Report(buy, id, OrderStatus.Filled, 2m, 202m, 0.002m, "BTC")));
        Assert.Equal((1.998m, 0.002m), (restored.GetSlot(101m)!.Inventory, restored.GetSlot(101m)!.BaseFees));
        Assert.True(restored.CheckInvariants().Holds, restored.CheckInvariants().Violation);

        // Its finished order kept only its fill, booked from its reports: a late trade adds nothing to it.
        SlotView finished = restored.GetSlot(100m)!;
        Assert.Equal(InputDisposition.Duplicate, restored.OnOrderUpdate(Trade(first, firstId, "late", 1m, 100m)));
        Assert.Equal(finished, restored.GetSlot(100m));

        // The next checkpoint and the one after restore too: what the old store had is written back as it was.
        SuperPositionManager again = SuperPositionManager.Restore(restored.CreateSnapshot(), grid.Options, grid.Time);
        SuperPositionManager third = SuperPositionManager.Restore(again.CreateSnapshot(), grid.Options, grid.Time);
        Assert.Equal(restored.GetSlots(), third.GetSlots());
        Assert.Equal(InputDisposition.Duplicate, third.OnOrderUpdate(last));
        Assert.True(third.CheckInvariants().Holds, third.CheckInvariants().Violation);
    }

    [Fact]
    public void AStoreFromBeforeTradesWereKept_SurvivesItsJournal_AndReopensAfterItsNextCheckpoint()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction first = grid.ClaimOpen(100m, 1m);
        string firstId = grid.Place(first);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(first, firstId, OrderStatus.Filled, 1m, 100m, 0.1m)));
        PositionManagerSnapshot old = grid.Manager.CreateSnapshot();
        old.Slots.Single().LastOrder.Order = null; // as written before finished orders were kept whole
        old.JournalStartSequence = 1;

        using var dir = new Persistence.StoreDirectory();
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None))
        {
            store.Recover();
            store.Checkpoint(new StoreSnapshot(1, old.ToByteArray()));
        }

        // Reopened three times: after a journalled change to the slot (its finished order written back), then after a checkpoint.
        for (int reopen = 0; reopen < 3; reopen++)
        {
            using FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.None);
            using SuperPositionManager manager = SuperPositionManager.Open(store, grid.Options, grid.Time);
            Assert.True(manager.CheckInvariants().Holds, manager.CheckInvariants().Violation);
            Assert.Equal((1m, 0.1m), (manager.GetSlot(100m)!.Inventory, manager.GetSlot(100m)!.EntryFees));
            Assert.Equal(InputDisposition.Duplicate, manager.OnOrderUpdate(Report(first, firstId, OrderStatus.Filled, 1m, 100m, 0.1m)));
            if (reopen == 0)
            {
                Assert.True(manager.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Sell, 110m, 0.5m)).IsAccepted);
            }
            else if (reopen == 1)
            {
                manager.Checkpoint();
            }
        }
    }

    [Fact]
    public async Task ALateTradeOfAnOrderTheSlotHasMovedPast_WithAFeeToBook_IsRejectedNamingTheFee_NotDroppedAsStale()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string buyId = grid.Place(buy);

        // The order stream finishes the buy before its trade arrives; then a sell opens and finishes on the same slot.
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, buyId, OrderStatus.Filled, 1m, 100m)));
        OrderAction sell = grid.ClaimClose(100m, 110m, 1m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(sell, sellId, "s1", 1m, 110m, 0.11m)));
        SlotView before = grid.Slot(100m);

        var rejected = new List<string>();
        grid.Manager.InputRejected += (_, e) => rejected.Add(e.Reason);
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "b1", 1m, 100m, 0.1m)));
        Assert.Equal(before, grid.Slot(100m));
        await grid.Manager.FlushEventsAsync();
        string reason = Assert.Single(rejected);
        Assert.Contains("its fee of 0.1 in ", reason, StringComparison.Ordinal);
        Assert.Contains(" is not booked; reconcile", reason, StringComparison.Ordinal);

        // Without a fee to book there is nothing to lose: it is stale.
        Assert.Equal(InputDisposition.Stale, grid.Manager.OnOrderUpdate(Trade(buy, buyId, "b1", 1m, 100m)));
        grid.AssertInvariants();
    }

    [Fact]
    public void AFinishedOrder_BooksItsLateFeesFromTheSourceItWasClaimedWith_WhenTheOptionsChangedSince()
    {
        // Claimed with cumulative fees, which booked its fee; reopened with fees per trade: its late trade books no fee again.
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string buyId = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Report(buy, buyId, OrderStatus.Filled, 1m, 100m, 0.1m)));
        SuperPositionManager perTrade = SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), Spot(feesPerTrade: true), grid.Time);
        SlotView before = perTrade.GetSlot(100m)!;

        perTrade.OnOrderUpdate(Trade(buy, buyId, "t1", 1m, 100m, 0.1m));
        Assert.Equal((0.1m, 1m), (perTrade.GetSlot(100m)!.EntryFees, perTrade.GetSlot(100m)!.Inventory));
        Assert.Equal(before.RealizedPnl, perTrade.GetSlot(100m)!.RealizedPnl);
        Assert.True(perTrade.CheckInvariants().Holds, perTrade.CheckInvariants().Violation);
    }

    [Fact]
    public void TheTradePastTheLimit_InAnUpdateThatAlsoReports_LetsTheReportFinishTheOrder_AndItsFeeIsBookedOnce()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 2m);
        string id = grid.Place(buy);
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t" + i, 0.001m, 100m)));
        }

        // The 1,001st trade with the terminal report it belongs to: the report books the rest, the trade's fee with it.
        OrderUpdate filled = Report(buy, id, OrderStatus.Filled, 2m, 200m) with { Trade = new TradeFill("t1000", 1m, 100m, 0.2m) };
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(filled));
        SlotView slot = grid.Slot(100m);
        Assert.Equal((SlotStatus.Free, 2m, 0.2m), (slot.Status, slot.Inventory, slot.EntryFees));

        // Replayed, with or without its report, it books nothing more; the replay with its fee says the fee is not booked again.
        Assert.Equal(InputDisposition.Rejected, grid.Manager.OnOrderUpdate(filled));
        Assert.Equal(InputDisposition.Duplicate, grid.Manager.OnOrderUpdate(filled with { Trade = filled.Trade! with { Fee = 0m } }));
        Assert.NotEqual(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1000", 1m, 100m, 0.2m)));
        Assert.Equal(slot, grid.Slot(100m));
        grid.AssertInvariants();
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public void ASnapshotWhoseFinishedOrderIsNotTheOneItIsKeptFor_IsRefused_NamingThePath()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: false));
        (OrderAction _, string _) = grid.OpenFilled(100m, 1m);
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        snapshot.Slots.Single().LastOrder.Order.ClaimToken = 99;

        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options, grid.Time));
        Assert.Contains("Slots[0].LastOrder.Order is order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStoreWhoseParkedTradeCarriesAFeeTheOptionsWouldNotBook_IsRefused_NamingTheField()
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnTrade(new TradeReport { OrderId = "X-early", TradeId = "t1", Quantity = 1m, Price = 100m, Fee = 0.1m }));
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();

        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, Spot(feesPerTrade: false), grid.Time));
        Assert.Contains("snapshot.ParkedUpdates[0].Update: Trade.Fee is 0.1, but PositionManagerOptions.FeesPerTrade is not set", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, SuperPositionManager.Restore(snapshot, grid.Options, grid.Time).ParkedUpdateCount); // under its own options it restores
    }

    public static TheoryData<string, string> TamperedTrades => new()
    {
        { "too many trades", "Slots[0].Order.TradeIds holds 1001 trades; an order has at most 1000." },
        { "blank trade id", "Slots[0].Order.TradeIds[1] is missing or blank." },
        { "a trade kept twice", "Slots[0].Order.TradeIds[1] is 't1' again; a trade is kept once." },
        { "reports ahead of the booked fill", "Slots[0].Order.ReportedQuantity is 0.9, more than the 0.6 booked" },
        { "trades ahead of the booked fill", "Slots[0].Order.TradeQuantity is 0.9, more than the 0.6 booked" },
        { "trade sum without trades", "Slots[0].Order.TradeQuantity is 0 for 2 trades." },
        { "negative trade quote", "Slots[0].Order.TradeQuote is -1; it cannot be negative." },
        { "base fees above the fill", "Slots[0].Order.BaseFees is 0.7, more than the 0.6 filled" },
        { "negative base fees", "Slots[0].Order.BaseFees is -1; it cannot be negative." },
        { "finished order another's", "Slots[1].LastOrder.Order is order (" },
    };

    [Theory]
    [MemberData(nameof(TamperedTrades))]
    public void ASnapshotWhoseTradesDoNotAddUp_IsRefused_NamingTheField(string tampering, string expected)
    {
        var grid = new TestGrid(options: Spot(feesPerTrade: true));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t1", 0.4m, 100m, 0.0004m, "BTC")));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(Trade(buy, id, "t2", 0.2m, 100m)));
        (OrderAction _, string _) = grid.OpenFilled(101m, 1m);
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        SlotOrder order = snapshot.Slots.Single(x => x.Price.ToDecimal() == 100m).Order;
        switch (tampering)
        {
            case "too many trades": order.TradeIds.AddRange(Enumerable.Range(3, 999).Select(i => "t" + i)); break;
            case "blank trade id": order.TradeIds[1] = " "; break;
            case "a trade kept twice": order.TradeIds[1] = "t1"; break;
            case "reports ahead of the booked fill": order.ReportedQuantity = 0.9m.ToWire(); break;
            case "trades ahead of the booked fill": order.TradeQuantity = 0.9m.ToWire(); break;
            case "trade sum without trades": order.TradeQuantity = 0m.ToWire(); break;
            case "negative trade quote": order.TradeQuote = (-1m).ToWire(); break;
            case "base fees above the fill": order.BaseFees = 0.7m.ToWire(); break;
            case "negative base fees": order.BaseFees = (-1m).ToWire(); break;
            default: snapshot.Slots.Single(x => x.Price.ToDecimal() == 101m).LastOrder.Order.ClientOrderId = "someone-else"; break;
        }

        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, grid.Options, grid.Time));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadTrades => new()
    {
        { "no status, no trade", "update", "only an update that carries a Trade may leave it out" },
        { "no status, with totals", "update", "CumulativeFilledQuantity" },
        { "blank trade id", "update", "Trade.TradeId" },
        { "zero quantity", "update", "Trade.Quantity" },
        { "negative price", "update", "Trade.Price" },
        { "price beyond the bound", "update", "Trade.Price" },
        { "product beyond the bound", "update", "Trade.Price x Trade.Quantity" },
        { "fee beyond the bound", "update", "Trade.Fee" },
        { "quantity beyond the bound", "update", "Trade.Quantity 2000000000000000 is beyond the bound" },
        { "zero price", "update", "Trade.Price must be positive" },
        { "cumulative fee under FeesPerTrade", "update", "CumulativeFee" },
        { "trade fee without FeesPerTrade", "update", "Trade.Fee" },
        { "OnTrade: zero quantity", "trade", "Quantity must be positive" },
        { "OnTrade: no ids", "trade", "OrderId or a ClientOrderId" },
        { "OnTrade: fee without FeesPerTrade", "trade", "Fee is 0.1" },
    };

    [Theory]
    [MemberData(nameof(BadTrades))]
    public void ABadTrade_IsRefusedNamingTheField_AndChangesNothing(string bad, string parameter, string named)
    {
        bool perTrade = !bad.Contains("without FeesPerTrade", StringComparison.Ordinal);
        var grid = new TestGrid(options: Spot(perTrade));
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        OrderUpdate trade = Trade(buy, id, "t1", 0.5m, 100m);
        var report = new TradeReport { OrderId = id, TradeId = "t1", Quantity = 0.5m, Price = 100m };
        SlotView before = grid.Slot(100m);

        Action act = bad switch
        {
            "no status, no trade" => () => grid.Manager.OnOrderUpdate(trade with { Trade = null }),
            "no status, with totals" => () => grid.Manager.OnOrderUpdate(trade with { CumulativeFilledQuantity = 0.5m }),
            "blank trade id" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { TradeId = " " } }),
            "zero quantity" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Quantity = 0m } }),
            "negative price" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Price = -1m } }),
            "price beyond the bound" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Price = 2e15m } }),
            "product beyond the bound" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Price = 1e15m, Quantity = 2m } }),
            "fee beyond the bound" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Fee = -2e15m } }),
            "quantity beyond the bound" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Quantity = 2e15m } }),
            "zero price" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Price = 0m } }),
            "cumulative fee under FeesPerTrade" => () => grid.Manager.OnOrderUpdate(Report(buy, id, OrderStatus.PartiallyFilled, 0.5m, 50m, 0.05m)),
            "trade fee without FeesPerTrade" => () => grid.Manager.OnOrderUpdate(trade with { Trade = trade.Trade! with { Fee = 0.05m } }),
            "OnTrade: zero quantity" => () => grid.Manager.OnTrade(report with { Quantity = 0m }),
            "OnTrade: no ids" => () => grid.Manager.OnTrade(report with { OrderId = null }),
            _ => () => grid.Manager.OnTrade(report with { Fee = 0.1m }),
        };

        ArgumentException e = Assert.Throws<ArgumentException>(parameter, act);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        if (parameter == "trade" && !bad.Contains("no ids", StringComparison.Ordinal))
        {
            Assert.StartsWith(named, e.Message, StringComparison.Ordinal); // named as the report names it, not Trade.
        }

        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(InputDisposition.Applied, grid.Manager.OnOrderUpdate(trade)); // and the good trade still books
    }
}
