using Google.Protobuf;
using GridPositions.Persistence;
using GridPositions.Tests.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// Fees by asset: a base-asset fee is paid in quantity (the inventory is the exchange's balance to the last decimal), a
/// quote fee works as before, and any other asset's fee is kept per asset, out of quote PnL unless given a rate. An
/// update that names an asset the manager cannot tell, or whose fee the fill or the inventory cannot pay, changes nothing.
/// </summary>
public class FeeAssetTests
{
    private static PositionManagerOptions Spot(GridDirection direction = GridDirection.Long) => new()
    {
        Symbol = "BTCUSDT",
        TickSize = 0.01m,
        QuantityStep = 0.001m,
        Direction = direction,
        BaseAsset = "BTC",
        QuoteAsset = "USDT",
        ParkedUpdateCapacity = 8,
        ParkedUpdateTimeToLive = TimeSpan.FromSeconds(30),
    };

    /// <summary>A spot grid whose order at 100 for 2 has filled 1 for 100, paying <paramref name="fee"/> in <paramref name="asset"/>.</summary>
    private static (TestGrid Grid, OrderAction Buy, string Id) HalfFilled(decimal fee, string? asset)
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 2m);
        string id = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 1m, 100m, fee, asset, OrderStatus.PartiallyFilled));
        return (grid, buy, id);
    }

    private static InputDisposition Fill(TestGrid grid, OrderAction action, string orderId, decimal cumulative, decimal quote, decimal fee, string? asset, OrderStatus status = OrderStatus.Filled) =>
        grid.Manager.OnOrderUpdate(TestGrid.Make(action, orderId, status, cumulative, quote, fee) with { FeeAsset = asset });

    [Fact]
    public async Task ASpotBuyWithItsFeeInBTC_HoldsWhatTheAccountReceived_AndItsCloseEndsFlatWithTheExactPnl()
    {
        var grid = new TestGrid(options: Spot());
        var fills = new List<FillAppliedEventArgs>();
        var trips = new List<RoundTripCompletedEventArgs>();
        grid.Manager.FillApplied += (_, e) => fills.Add(e);
        grid.Manager.RoundTripCompleted += (_, e) => trips.Add(e);
        OrderAction buy = grid.ClaimOpen(100m, 0.01m);
        string buyId = grid.Place(buy);

        // Binance spot: a buy of 0.01 BTC whose 0.00001 fee is taken in BTC leaves 0.00999 in the account.
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, buyId, 0.01m, 1.00m, 0.00001m, "BTC"));
        SlotView held = grid.Slot(100m);
        Assert.Equal((0.00999m, 0.00001m, 1.00m, 0m), (held.Inventory, held.BaseFees, held.EntryNotional, held.EntryFees));
        grid.AssertInvariants();

        // The booked 0.01 would not sell: the close is for what is held, off the quantity step because it is all of it.
        Assert.False(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 110m, 0.01m)).IsAccepted);
        Assert.False(grid.Manager.ClaimSlot(ClaimRequest.Place(100m, grid.Closing, 110m, 0.00998m)).IsAccepted); // off the step and not all of it
        OrderAction sell = grid.ClaimClose(100m, 110m, 0.00999m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, Fill(grid, sell, sellId, 0.00999m, 1.0989m, 0.001m, "usdt")); // the quote asset, named in any case

        SlotView flat = grid.Slot(100m);
        decimal exchangeBase = 0.01m - 0.00001m - 0.00999m; // what the account's BTC balance did
        Assert.Equal(exchangeBase, flat.Inventory);
        Assert.Equal(PositionStatus.Flat, flat.PositionStatus);
        Assert.Equal(1.0989m - 1.00m - 0.001m, flat.RealizedPnl); // (exit - entry) - quote fees; the BTC fee was paid in quantity
        Assert.Equal(0.00001m, flat.BaseFees);
        grid.AssertInvariants();

        await grid.Manager.FlushEventsAsync();
        RoundTripCompletedEventArgs trip = Assert.Single(trips);
        Assert.Equal((0.00999m, 1.00m, 1.0989m, 0.0979m), (trip.Quantity, trip.EntryNotional, trip.ExitNotional, trip.RealizedPnl));
        Assert.Equal([(FeeAssetKind.Base, (string?)null, 0.00001m), (FeeAssetKind.Quote, null, 0.001m)], fills.Select(f => (f.FeeKind, f.FeeAsset, f.Fee)));
        PositionTotals totals = grid.Manager.GetTotals();
        Assert.Equal((0m, 0.00001m, 0.0979m), (totals.Inventory, totals.BaseFees, totals.RealizedPnl));
    }

    [Fact]
    public void OnAShortGrid_ABaseFeeOnTheOpeningSellIsOwedToo_AndOneOnTheClosingBuyLeavesTheResidueStillOwed()
    {
        var grid = new TestGrid(options: Spot(GridDirection.Short));
        OrderAction sell = grid.ClaimOpen(100m, 1m);
        string sellId = grid.Place(sell);
        Assert.Equal(InputDisposition.Applied, Fill(grid, sell, sellId, 1m, 100m, 0.001m, "BTC"));
        Assert.Equal(1.001m, grid.Slot(100m).Inventory); // sold 1 and paid 0.001: the account is short 1.001
        grid.AssertInvariants();

        OrderAction buy = grid.ClaimClose(100m, 99m, 1.001m);
        string buyId = grid.Place(buy);
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, buyId, 1.001m, 99.099m, 0.001m, "BTC")); // received 1.000 of the 1.001 bought
        SlotView left = grid.Slot(100m);
        Assert.Equal((0.001m, PositionStatus.Open, 0.002m), (left.Inventory, left.PositionStatus, left.BaseFees));
        Assert.Equal(0L, left.RoundTrips); // still short 0.001: no round trip yet
        grid.AssertInvariants();

        OrderAction rest = grid.ClaimClose(100m, 99m, 0.001m);
        Assert.Equal(InputDisposition.Applied, Fill(grid, rest, grid.Place(rest), 0.001m, 0.099m, 0.0001m, null));
        SlotView flat = grid.Slot(100m);
        Assert.Equal((0m, 1L), (flat.Inventory, flat.RoundTrips));
        Assert.Equal(-(99.099m + 0.099m - 100m) - 0.0001m, flat.RealizedPnl); // sign x (exit - entry) - quote fees
        grid.AssertInvariants();
    }

    [Fact]
    public async Task AFeeInBNB_IsKeptPerAsset_OutOfRealizedPnl_AndValuedOnlyAtTheRatesGiven()
    {
        var grid = new TestGrid(options: Spot());
        var fills = new List<FillAppliedEventArgs>();
        grid.Manager.FillApplied += (_, e) => fills.Add(e);
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, grid.Place(buy), 1m, 100m, 0.0015m, "bnb"));
        OrderAction sell = grid.ClaimClose(100m, 101m, 1m);
        Assert.Equal(InputDisposition.Applied, Fill(grid, sell, grid.Place(sell), 1m, 101m, 0.0014m, "BNB"));
        OrderAction other = grid.ClaimOpen(99m, 1m);
        Assert.Equal(InputDisposition.Applied, Fill(grid, other, grid.Place(other), 1m, 99m, 0.25m, "ETH"));

        SlotView slot = grid.Slot(100m);
        Assert.Equal((1m, 0m), (slot.RealizedPnl, slot.Inventory)); // no quote fee: the BNB is not in the quote PnL
        Assert.Equal([new AssetAmount("BNB", 0.0029m)], slot.OtherFees);
        PositionTotals totals = grid.Manager.GetTotals();
        Assert.Equal([new AssetAmount("BNB", 0.0029m), new AssetAmount("ETH", 0.25m)], totals.OtherFees);
        Assert.Equal(1m, totals.RealizedPnl);

        Assert.Null(grid.Manager.GetValuation(100m).OtherFeesInQuote); // no rates: not valued
        Assert.Null(grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { ["BNB"] = 600m }).OtherFeesInQuote); // ETH has none
        PositionValuation valued = grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { ["bnb"] = 600m, ["Eth"] = 3000m });
        Assert.Equal((0.0029m * 600m) + (0.25m * 3000m), valued.OtherFeesInQuote);
        Assert.Equal(totals.OtherFees, valued.OtherFees);
        Assert.Throws<ArgumentOutOfRangeException>("feeRates", () => grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { ["BNB"] = 0m }));
        Assert.Throws<ArgumentOutOfRangeException>("feeRates", () => grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { [" "] = 1m }));
        grid.AssertInvariants();

        await grid.Manager.FlushEventsAsync();
        Assert.Equal([(FeeAssetKind.Other, "BNB"), (FeeAssetKind.Other, "BNB"), (FeeAssetKind.Other, "ETH")], fills.Select(f => (f.FeeKind, f.FeeAsset)));
    }

    [Theory]
    [InlineData("BTC")]
    [InlineData("USDT")]
    [InlineData("BNB")]
    public void AManagerWithoutAssetsNamed_RefusesAnUpdateThatNamesOne_AndChangesNothing(string asset)
    {
        var grid = new TestGrid();
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        SlotView before = grid.Slot(100m);

        ArgumentException e = Assert.Throws<ArgumentException>("update", () => Fill(grid, buy, id, 1m, 100m, 0.001m, asset));
        Assert.Contains("BaseAsset", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(100m));
        ArgumentException inBatch = Assert.Throws<ArgumentException>("updates", () => grid.Manager.OnOrderUpdates([TestGrid.Make(buy, id, OrderStatus.Filled, 1m, 100m, 0.001m) with { FeeAsset = asset }]));
        Assert.StartsWith("updates[0]", inBatch.Message, StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 1m, 100m, 0.001m, null)); // unnamed is the quote asset, as before
        Assert.Equal(InputDisposition.Duplicate, Fill(grid, buy, id, 1m, 100m, 0.001m, " ")); // and so is blank: accepted, a repeat of the fill
    }

    [Theory]
    [InlineData("BT C")]
    [InlineData("BTC\n")]
    [InlineData("\u0001")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")] // 33 characters
    [InlineData("BNBß")] // upper-casing leaves it lower case: a stored name must read back the same
    [InlineData("ＢＮＢ")] // full-width letters
    public void AnUnusableFeeAssetName_IsRefusedNamingTheField_AndChangesNothing(string asset)
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string id = grid.Place(buy);
        SlotView before = grid.Slot(100m);

        ArgumentException e = Assert.Throws<ArgumentException>("update", () => Fill(grid, buy, id, 1m, 100m, 0.001m, asset));
        Assert.Contains("FeeAsset", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnOrdersFeeAssetChangingMidOrder_IsRejected_AndItsFeesSoFarStayInTheirAsset()
    {
        (TestGrid grid, OrderAction buy, string id) = HalfFilled(0.1m, "USDT");
        SlotView before = grid.Slot(100m);

        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 2m, 200m, 0.0003m, "BNB"));
        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 2m, 200m, 0.002m, "BTC"));
        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 2m, 200m, 0.2m, null)); // the quote asset, unnamed
        Assert.Equal((2m, 0.2m), (grid.Slot(100m).Inventory, grid.Slot(100m).EntryFees));
        grid.AssertInvariants();
    }

    [Fact]
    public async Task AnOrdersFeesMovingFromOneOtherAssetToAnother_AreRejected_SayingWhichAssets()
    {
        (TestGrid grid, OrderAction buy, string id) = HalfFilled(0.0001m, "BNB");
        var reasons = new List<string>();
        grid.Manager.InputRejected += (_, e) => reasons.Add(e.Reason);

        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 2m, 200m, 0.0002m, "ETH")); // both other assets: the name tells them apart
        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 2m, 200m, 0.1m, null));

        await grid.Manager.FlushEventsAsync();
        Assert.Equal(2, reasons.Count);
        Assert.Contains("its fees so far are 0.0001 in BNB, but an update reports them in ETH", reasons[0], StringComparison.Ordinal);
        Assert.Contains("in BNB, but an update reports them in quote", reasons[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOpeningFillWhoseBaseFeeTakesAllOfIt_IsRejected_ButAFeeUpToALaterFillsGrowthIsBooked()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 0.002m);
        string id = grid.Place(buy);
        SlotView before = grid.Slot(100m);

        var reasons = new List<string>();
        grid.Manager.InputRejected += (_, e) => reasons.Add(e.Reason);
        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 0.001m, 0.1m, 0.001m, "BTC", OrderStatus.PartiallyFilled)); // would hold nothing at a cost of 0.1
        await grid.Manager.FlushEventsAsync();
        Assert.Contains("whose base-asset fee of 0.001 takes all of it", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(100m));
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 0.001m, 0.1m, 0.0005m, "BTC", OrderStatus.PartiallyFilled));
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 0.002m, 0.2m, 0.0015m, "BTC")); // this growth's fee is all of it: 0.0005 still held
        Assert.Equal((0.0005m, 0.0015m), (grid.Slot(100m).Inventory, grid.Slot(100m).BaseFees));
        grid.AssertInvariants();
    }

    [Theory]
    [InlineData("USDC.E")]
    [InlineData("1000-SATS")]
    [InlineData("A_B")]
    public void AnAssetNameWithADotADashOrAnUnderscore_IsAccepted(string name)
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, grid.Place(buy), 1m, 100m, 0.5m, name));
        Assert.Equal([new AssetAmount(name.ToUpperInvariant(), 0.5m)], grid.Slot(100m).OtherFees);
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public void AnAssetNameOf32Characters_IsAccepted()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        string name = new('A', FeeAssetsMaxNameLength);
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, grid.Place(buy), 1m, 100m, 0.5m, name.ToLowerInvariant()));
        Assert.Equal([new AssetAmount(name, 0.5m)], grid.Slot(100m).OtherFees);
    }

    private const int FeeAssetsMaxNameLength = 32;

    [Fact]
    public void OtherFees_CompareHashAndPrintByContent()
    {
        IReadOnlyList<AssetAmount> a = GridPositions.Fills.AssetAmountList.Of([new AssetAmount("BNB", 1m)]);
        IReadOnlyList<AssetAmount> same = GridPositions.Fills.AssetAmountList.Of([new AssetAmount("BNB", 1m)]);
        IReadOnlyList<AssetAmount> other = GridPositions.Fills.AssetAmountList.Of([new AssetAmount("BNB", 2m)]);
        IReadOnlyList<AssetAmount> two = GridPositions.Fills.AssetAmountList.Of([new AssetAmount("BNB", 2m), new AssetAmount("ETH", 3m)]);
        Assert.Equal("[AssetAmount { Asset = BNB, Amount = 2 }, AssetAmount { Asset = ETH, Amount = 3 }]", two.ToString());

        Assert.True(a.Equals(same));
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.False(a.Equals(other));
        Assert.NotEqual(a.GetHashCode(), other.GetHashCode());
        Assert.False(a.Equals(null));
        Assert.Equal("[AssetAmount { Asset = BNB, Amount = 1 }]", a.ToString());
        Assert.Same(GridPositions.Fills.AssetAmountList.Empty, GridPositions.Fills.AssetAmountList.Of(null));
    }

    [Fact]
    public void AnOrderWithNoFeeYet_MayStartPayingInAnyAsset()
    {
        (TestGrid grid, OrderAction buy, string id) = HalfFilled(0m, "USDT");
        Assert.Equal(InputDisposition.Applied, Fill(grid, buy, id, 2m, 200m, 0.002m, "BTC"));
        Assert.Equal((1.998m, 0.002m), (grid.Slot(100m).Inventory, grid.Slot(100m).BaseFees));
        grid.AssertInvariants();
    }

    [Theory]
    [InlineData(0.0101)] // more than the 0.01 traded
    [InlineData(-0.00001)] // a base-asset "rebate" would be quantity out of nowhere
    public void ABaseFeeTheFillCannotPay_IsRejected_AndChangesNothing(decimal fee)
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 0.01m);
        string id = grid.Place(buy);
        SlotView before = grid.Slot(100m);

        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 0.01m, 1m, fee, "BTC"));
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public void ABaseFeeThatShrinksBetweenUpdates_IsRejected()
    {
        (TestGrid grid, OrderAction buy, string id) = HalfFilled(0.001m, "BTC");
        SlotView before = grid.Slot(100m);

        Assert.Equal(InputDisposition.Rejected, Fill(grid, buy, id, 2m, 200m, 0.0005m, "BTC"));
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public async Task ALongCloseWhoseBaseFeeTakesMoreThanTheSlotHolds_IsRejected_AndChangesNothing()
    {
        var grid = new TestGrid(options: Spot());
        grid.OpenFilled(100m, 1m);
        OrderAction sell = grid.ClaimClose(100m, 101m, 1m);
        string id = grid.Place(sell);
        SlotView before = grid.Slot(100m);

        var reasons = new List<string>();
        grid.Manager.InputRejected += (_, e) => reasons.Add(e.Reason);
        Assert.Equal(InputDisposition.Rejected, Fill(grid, sell, id, 1m, 101m, 0.001m, "BTC")); // selling 1 and paying 0.001 more than the 1 held
        await grid.Manager.FlushEventsAsync();
        Assert.Contains("a closing fill of 1 with a base-asset fee of 0.001 takes more than the 1 the slot holds", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(100m));
        grid.AssertInvariants();
    }

    [Fact]
    public void AWholePositionClose_IsForTheNetInventory_OnTheClosingSide()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 0.01m);
        Fill(grid, buy, grid.Place(buy), 0.01m, 1m, 0.00001m, "BTC");

        ClaimResult close = grid.Manager.ClaimSlot(ClaimRequest.Close(100m, 110m));

        Assert.True(close.IsAccepted, close.Detail);
        Assert.Equal((OrderSide.Sell, 0.00999m, 110m, 100m), (close.Action.Side, close.Action.Quantity, close.Action.Price, close.Action.SlotPrice));
        Assert.Equal(OrderRole.Close, grid.Slot(100m).Order!.Role);
        Assert.Equal(ClaimRejection.SlotBusy, grid.Manager.ClaimSlot(ClaimRequest.Close(100m, 110m)).Rejection);
        Assert.Equal(InputDisposition.Applied, Fill(grid, close.Action, grid.Place(close.Action), 0.00999m, 1.0989m, 0.001m, null));
        Assert.Equal(0m, grid.Slot(100m).Inventory);
        grid.AssertInvariants();
    }

    [Fact]
    public void AWholePositionClose_OfNothing_OrWithASideOrQuantityOfItsOwn_IsRefused_AndLeavesNoSlot()
    {
        var grid = new TestGrid(GridDirection.Short);
        ClaimResult nothing = grid.Manager.ClaimSlot(ClaimRequest.Close(100m, 99m)); // a level never used
        Assert.Equal(ClaimRejection.WouldOversell, nothing.Rejection);
        Assert.Contains("holds nothing to close", nothing.Detail, StringComparison.Ordinal);
        Assert.Null(grid.Manager.GetSlot(100m));
        grid.OpenFilled(101m, 2m);
        Assert.Equal(OrderSide.Buy, grid.Manager.ClaimSlot(ClaimRequest.Close(101m, 100m) with { Side = OrderSide.Buy }).Action.Side); // the closing side may be named
        grid.Manager.ClaimSlot(ClaimRequest.Cancel(101m));

        var refused = new (ClaimRequest Request, string Field)[]
        {
            (ClaimRequest.Close(102m, 101m) with { Side = OrderSide.Sell }, "Side"), // the opening side of a short grid
            (ClaimRequest.Close(102m, 101m) with { Quantity = 1m }, "Quantity"),
            (ClaimRequest.Close(102m, 101m) with { Leverage = 2 }, "Leverage"),
            (ClaimRequest.Close(102m, 101.005m), "Price"),
        };
        foreach ((ClaimRequest request, string field) in refused)
        {
            ClaimResult result = grid.Manager.ClaimSlot(request);
            Assert.Equal(ClaimRejection.Invalid, result.Rejection);
            Assert.StartsWith(field, result.Detail, StringComparison.Ordinal);
            Assert.Null(grid.Manager.GetSlot(102m));
        }

        grid.AssertInvariants();
    }

    [Fact]
    public void AValuation_SpreadsTheCostOverWhatIsHeldAfterABaseFee_AndClosingAtTheMarkRealisesIt()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 0.01m);
        Fill(grid, buy, grid.Place(buy), 0.01m, 1.00m, 0.00001m, "BTC");

        SlotValuation slot = Assert.Single(grid.Manager.GetValuation(110m).Slots);
        Assert.Equal((0.00999m, 1.0989m, 0.0989m), (slot.Inventory, slot.MarkValue, slot.UnrealizedPnl));
        Assert.Equal(1.00m / 0.00999m, slot.BreakEvenPrice); // the 1.00 paid, over the 0.00999 received

        OrderAction close = grid.Claim(ClaimRequest.Close(100m, 110m));
        Fill(grid, close, grid.Place(close), 0.00999m, 1.0989m, 0m, null);
        Assert.Equal(slot.UnrealizedPnl, grid.Slot(100m).RealizedPnl);
    }

    [Fact]
    public void AWholePositionClose_UnderALease_IsLeased_AndOneWhoseNotionalIsBeyondTheBound_IsInvalid()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m, 1m);
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m));
        Assert.Equal(ClaimRejection.PositionLeased, grid.Manager.ClaimSlot(ClaimRequest.Close(100m, 101m)).Rejection);
        start.Lease!.Dispose();

        var huge = new TestGrid(options: Spot(GridDirection.Short));
        OrderAction sell = huge.ClaimOpen(0.5m, SuperPositionManager.MaxAmount);
        Fill(huge, sell, huge.Place(sell), SuperPositionManager.MaxAmount, SuperPositionManager.MaxAmount / 2, 0m, null);
        ClaimResult beyond = huge.Manager.ClaimSlot(ClaimRequest.Close(0.5m, 2m)); // 10^15 at 2 is beyond the bound
        Assert.Equal(ClaimRejection.Invalid, beyond.Rejection);
        Assert.Contains("beyond the bound", beyond.Detail, StringComparison.Ordinal);
        Assert.Equal(SlotStatus.Free, huge.Slot(0.5m).Status);
        using PositionLease lease = huge.Manager.BeginClose(new CloseRequest(0.5m)).Lease!;
        Assert.Equal(ClaimRejection.PositionLeased, huge.Manager.ClaimSlot(ClaimRequest.Close(0.5m, 2m)).Rejection); // the lease is the first answer
    }

    [Fact]
    public void WithBaseAssetFees_AnExchangeBalanceOffTheStep_IsAQuantityToReconcileAndCloseTo()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 0.01m);
        Fill(grid, buy, grid.Place(buy), 0.01m, 1m, 0.00001m, "BTC");

        // The account holds 0.00998 (a fee the stream missed): the lease sets the slot to it and closes all of it.
        CloseStart start = grid.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0.00998m));
        Assert.Equal((CloseStatus.Started, -0.00001m), (start.Status, start.Mismatch!.Difference));
        OrderAction close = grid.Manager.ClaimCloseOrder(start.Lease!, 110m).Action!.Value;
        Assert.Equal(0.00998m, close.Quantity);
        grid.AssertInvariants();

        // Without base-asset fees a balance off the step is still a bad input.
        TestGrid plain = Holding();
        Assert.Throws<ArgumentException>("request", () => plain.Manager.BeginClose(new CloseRequest(100m, ExchangeQuantity: 0.0009m)));

        static TestGrid Holding()
        {
            var g = new TestGrid();
            g.OpenFilled(100m, 0.01m);
            return g;
        }
    }

    [Fact]
    public void ABlankFeeAsset_IsTheQuoteAsset_AndAParkedUpdateCarryingOneStillCheckpointsAndRestores()
    {
        var grid = new TestGrid(options: Spot());
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "not-yet", Status = OrderStatus.New, FeeAsset = " " }));
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdates([new OrderUpdate { ClientOrderId = "not-yet-2", Status = OrderStatus.New, FeeAsset = "" }])[0]);

        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        Assert.All(snapshot.ParkedUpdates, p => Assert.Equal("", p.Update.FeeAsset));
        Assert.Equal(2, SuperPositionManager.Restore(snapshot, grid.Options, grid.Time).ParkedUpdateCount);
    }

    [Fact]
    public async Task AShortGridsOpeningSell_WhoseBaseFeeWouldHoldMoreThanTheBound_IsRejected()
    {
        var grid = new TestGrid(options: Spot(GridDirection.Short));
        OrderAction sell = grid.ClaimOpen(0.5m, SuperPositionManager.MaxAmount);
        string id = grid.Place(sell);
        SlotView before = grid.Slot(0.5m);

        var reasons = new List<string>();
        grid.Manager.InputRejected += (_, e) => reasons.Add(e.Reason);
        Assert.Equal(InputDisposition.Rejected, Fill(grid, sell, id, SuperPositionManager.MaxAmount, SuperPositionManager.MaxAmount / 2, 1m, "BTC"));
        await grid.Manager.FlushEventsAsync();
        Assert.Contains("would hold 1000000000000001, beyond the bound", Assert.Single(reasons), StringComparison.Ordinal);
        Assert.Equal(before, grid.Slot(0.5m));
        grid.CreateSnapshotAndRestore();
    }

    [Fact]
    public void AValuationBeyondDecimalsRange_OrTwoRatesForOneAsset_IsRefusedNamingFeeRates()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        Fill(grid, buy, grid.Place(buy), 1m, 100m, 1e14m, "BNB");

        Assert.Throws<ArgumentOutOfRangeException>("feeRates", () => grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { ["BNB"] = 1e15m }));
        Assert.Throws<ArgumentOutOfRangeException>("feeRates", () => grid.Manager.GetValuation(100m, new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BNB"] = 1m, ["bnb"] = 2m }));
        Assert.Equal(1e14m * 600m, grid.Manager.GetValuation(100m, new Dictionary<string, decimal> { ["BNB"] = 600m }).OtherFeesInQuote);
    }

    [Theory]
    [InlineData(0.002)] // a base fee above the fill
    [InlineData(-0.0001)]
    public void AnOrderToAdopt_WhoseBaseFeeNoSlotCouldBook_IsOwned_AndItsReportRefused(decimal fee)
    {
        // As for any unbookable report of an adopted order: the slot owns it (never orphaned) and refuses the fill, surfaced.
        var grid = new TestGrid(options: Spot());
        ReconciliationTicket ticket = grid.Manager.BeginReconciliation();
        var lost = new ExchangeOrder("X9", "gp-previous-run-7", OrderSide.Buy, 99m, 0.002m, OrderStatus.PartiallyFilled, 0.001m, 0.099m, fee) { FeeAsset = "BTC" };

        ReconciliationReport report = grid.Manager.Reconcile(ticket, new ExchangeSnapshot(grid.Time.GetUtcNow(), [lost]));

        ReconciliationFinding adopted = Assert.Single(report.Findings, f => f.Kind == FindingKind.Adopted);
        Assert.Contains("refused its report", adopted.Detail, StringComparison.Ordinal);
        Assert.Contains("base-asset fee", adopted.Detail, StringComparison.Ordinal);
        Assert.Equal(("gp-previous-run-7", 0m, 0m), (grid.Slot(99m).Order!.ClientOrderId, grid.Slot(99m).Inventory, grid.Slot(99m).BaseFees));
        grid.AssertInvariants();
    }

    [Fact]
    public void AnOrderRestoredFromBeforeFeesHadAssets_KeepsPayingInTheQuoteAsset()
    {
        (TestGrid grid, OrderAction buy, string id) = HalfFilled(0.05m, null);
        PositionManagerSnapshot old = grid.Manager.CreateSnapshot();
        old.Slots[0].Order.FeeKind = FeeAssetKind.Unspecified; // as a snapshot written before fee kinds were recorded

        SuperPositionManager restored = SuperPositionManager.Restore(old, grid.Options, grid.Time);

        OrderUpdate next = TestGrid.Make(buy, id, OrderStatus.Filled, 2m, 200m, 0.001m) with { FeeAsset = "BNB" };
        Assert.Equal(InputDisposition.Rejected, restored.OnOrderUpdate(next));
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(next with { CumulativeFee = 0.1m, FeeAsset = null }));
        Assert.Equal(0.1m, restored.GetSlot(100m)!.EntryFees);
    }

    [Fact]
    public void AStateThatNeedsFeeAssets_IsRefusedByOptionsWithoutThem()
    {
        var grid = new TestGrid(options: Spot());
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "not-yet", Status = OrderStatus.New, FeeAsset = "BNB" }));
        PositionManagerOptions plain = Spot();
        (plain.BaseAsset, plain.QuoteAsset) = (null, null);
        ArgumentException parked = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(grid.Manager.CreateSnapshot(), plain, grid.Time));
        Assert.Contains("snapshot.ParkedUpdates[0].Update.FeeAsset", parked.Message, StringComparison.Ordinal);

        var paying = new TestGrid(options: Spot());
        OrderAction buy = paying.ClaimOpen(100m, 2m);
        Fill(paying, buy, paying.Place(buy), 1m, 100m, 0.001m, "BNB", OrderStatus.PartiallyFilled);
        ArgumentException order = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(paying.Manager.CreateSnapshot(), plain, paying.Time));
        Assert.Contains("BaseAsset", order.Message, StringComparison.Ordinal);
    }

    /// <summary>A flat slot that paid base and BNB fees, a held one, and an order half filled with its fee in BNB.</summary>
    private static (TestGrid Grid, OrderAction Pending, string PendingId) FeesEverywhere()
    {
        var grid = new TestGrid(options: Spot());
        OrderAction buy = grid.ClaimOpen(100m, 1m);
        Fill(grid, buy, grid.Place(buy), 1m, 100m, 0.001m, "BTC");
        OrderAction sell = grid.ClaimClose(100m, 101m, 0.999m);
        Fill(grid, sell, grid.Place(sell), 0.999m, 100.899m, 0.0002m, "BNB");
        OrderAction held = grid.ClaimOpen(99m, 1m);
        Fill(grid, held, grid.Place(held), 1m, 99m, 0.002m, "BTC");
        OrderAction pending = grid.ClaimOpen(98m, 2m);
        string pendingId = grid.Place(pending);
        Fill(grid, pending, pendingId, 1m, 98m, 0.0001m, "BNB", OrderStatus.PartiallyFilled);
        grid.AssertInvariants();
        return (grid, pending, pendingId);
    }

    [Fact]
    public void ASnapshot_KeepsEveryFeeField_AndARestoredOrderStillKnowsItsFeeAsset()
    {
        (TestGrid grid, OrderAction pending, string pendingId) = FeesEverywhere();
        PositionManagerSnapshot first = grid.Manager.CreateSnapshot();

        SuperPositionManager restored = SuperPositionManager.Restore(PositionManagerSnapshot.Parser.ParseFrom(first.ToByteArray()), grid.Options, grid.Time);

        Assert.Equal(first, restored.CreateSnapshot());
        Assert.Equal(grid.Manager.GetSlots(), restored.GetSlots());
        Assert.Equal(grid.Manager.GetTotals(), restored.GetTotals());
        Assert.Equal(0.001m, restored.GetSlot(100m)!.BaseFees);
        Assert.Equal([new AssetAmount("BNB", 0.0002m)], restored.GetSlot(100m)!.OtherFees);

        // The half-filled order's fees are in BNB: the restored manager refuses them in another asset and books BNB.
        OrderUpdate quoteFees = TestGrid.Make(pending, pendingId, OrderStatus.Filled, 2m, 196m, 0.1m);
        Assert.Equal(InputDisposition.Rejected, restored.OnOrderUpdate(quoteFees));
        Assert.Equal(InputDisposition.Applied, restored.OnOrderUpdate(quoteFees with { CumulativeFee = 0.0002m, FeeAsset = "BNB" }));
        Assert.Equal([new AssetAmount("BNB", 0.0002m)], restored.GetSlot(98m)!.OtherFees);
        Assert.True(restored.CheckInvariants().Holds);
    }

    [Fact]
    public void AStoreRecovers_EveryFeeField_FromItsJournal()
    {
        using var dir = new StoreDirectory();
        var options = Spot();
        options.CheckpointEveryRecords = 0; // recovery replays the journal, not a checkpoint
        IReadOnlyList<SlotView> before;
        PositionTotals totals;
        using (FilePositionStore store = FilePositionStore.Open(dir.Path, Durability.GroupCommit))
        using (SuperPositionManager m = SuperPositionManager.Open(store, options))
        {
            OrderAction buy = m.ClaimSlot(ClaimRequest.Place(100m, OrderSide.Buy, 100m, 1m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(buy, "B1")]);
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B1", Status = OrderStatus.Filled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = 100m, CumulativeFee = 0.001m, FeeAsset = "BTC" });
            OrderAction half = m.ClaimSlot(ClaimRequest.Place(99m, OrderSide.Buy, 99m, 2m)).Action;
            m.ApplyActionResults([OrderActionResult.Placed(half, "B2")]);
            m.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = 1m, CumulativeQuoteQuantity = 99m, CumulativeFee = 0.0001m, FeeAsset = "BNB" });
            (before, totals) = (m.GetSlots(), m.GetTotals());
        }

        using FilePositionStore again = FilePositionStore.Open(dir.Path, Durability.GroupCommit);
        using SuperPositionManager recovered = SuperPositionManager.Open(again, options);
        Assert.Equal(before, recovered.GetSlots());
        Assert.Equal(totals, recovered.GetTotals());
        Assert.Equal((0.999m, 0.001m), (recovered.GetSlot(100m)!.Inventory, recovered.GetSlot(100m)!.BaseFees));
        Assert.Equal(InputDisposition.Rejected, recovered.OnOrderUpdate(new OrderUpdate { OrderId = "B2", Status = OrderStatus.Filled, CumulativeFilledQuantity = 2m, CumulativeQuoteQuantity = 198m, CumulativeFee = 0.0002m, FeeAsset = "BTC" }));
        Assert.True(recovered.CheckInvariants().Holds);
    }

    [Fact]
    public void ASnapshotWithTamperedFees_IsRefusedNamingTheField()
    {
        (TestGrid grid, _, _) = FeesEverywhere();
        PositionManagerSnapshot Tampered(Action<InventorySlot> edit)
        {
            PositionManagerSnapshot s = grid.Manager.CreateSnapshot();
            edit(s.Slots.Single(x => x.Price.ToDecimal() == 99m));
            return s;
        }

        void Refused(PositionManagerSnapshot s, string expected)
        {
            ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(s, grid.Options, grid.Time));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }

        string at = $"snapshot.Slots[{grid.Manager.CreateSnapshot().Slots.ToList().FindIndex(x => x.Price.ToDecimal() == 99m)}]";
        Refused(Tampered(s => s.BaseFees = (-0.001m).ToWire()), at + ".BaseFees is -0.001; a base fee is between zero and its fill, so their sum cannot be negative");
        Refused(Tampered(s => s.BaseFees = 0.003m.ToWire()), "invariant"); // the inventory no longer adds up
        Refused(Tampered(s => s.OtherFees.Add(new AssetAmountMessage { Asset = "Bnb", Amount = 1m.ToWire() })), at + ".OtherFees[0].Asset 'Bnb' is not an asset name the manager stores (it is not upper case)");
        Refused(Tampered(s => s.OtherFees.Add(new AssetAmountMessage { Asset = "B B", Amount = 1m.ToWire() })), at + ".OtherFees[0].Asset 'B B' is not an asset name the manager stores");
        Refused(Tampered(s => s.OtherFees.Add(new AssetAmountMessage { Asset = "", Amount = 1m.ToWire() })), at + ".OtherFees[0].Asset is missing or blank");
        Refused(Tampered(s => s.OtherFees.Add(new AssetAmountMessage { Asset = "BNB" })), at + ".OtherFees[0].Amount");
        Refused(Tampered(s => s.OtherFees.Add([new AssetAmountMessage { Asset = "ETH", Amount = 1m.ToWire() }, new AssetAmountMessage { Asset = "BNB", Amount = 1m.ToWire() }])), at + ".OtherFees[1].Asset is 'BNB' after 'ETH'");
        Refused(Tampered(s => s.OtherFees.Add([new AssetAmountMessage { Asset = "BNB", Amount = 1m.ToWire() }, new AssetAmountMessage { Asset = "BNB", Amount = 1m.ToWire() }])), at + ".OtherFees[1].Asset");

        // A snapshot from before base fees were recorded has none: it restores.
        PositionManagerSnapshot old = grid.Manager.CreateSnapshot();
        foreach (InventorySlot slot in old.Slots.Where(x => x.BaseFees.ToDecimal() == 0))
        {
            slot.BaseFees = null;
        }

        Assert.Equal(grid.Manager.GetSlots(), SuperPositionManager.Restore(old, grid.Options, grid.Time).GetSlots());

        // The half-filled order at 98 pays in BNB.
        PositionManagerSnapshot Order(Action<SlotOrder> edit)
        {
            PositionManagerSnapshot s = grid.Manager.CreateSnapshot();
            edit(s.Slots.Single(x => x.Price.ToDecimal() == 98m).Order);
            return s;
        }

        string order = $"snapshot.Slots[{grid.Manager.CreateSnapshot().Slots.ToList().FindIndex(x => x.Price.ToDecimal() == 98m)}].Order";
        Refused(Order(o => o.FeeKind = (FeeAssetKind)9), order + ".FeeKind");
        Refused(Order(o => o.FeeAsset = ""), order + ".FeeAsset is missing or blank");
        Refused(Order(o => o.FeeAsset = "bnb"), order + ".FeeAsset");
        Refused(Order(o => o.FeeKind = FeeAssetKind.Quote), order + ".FeeAsset is 'BNB', but the fee kind is Quote, which has no name");
        Refused(Order(o => (o.PostOnly, o.TimeInForce) = (true, TimeInForce.Fok)), order + ".PostOnly is set on a Fok order; a post-only order rests on the book");
    }

    [Fact]
    public void AParkedUpdateWithABlankFeeAssetInASnapshot_IsRefusedNamingIt()
    {
        var grid = new TestGrid(options: Spot());
        grid.Manager.OnOrderUpdate(new OrderUpdate { ClientOrderId = "not-yet", Status = OrderStatus.New, FeeAsset = "BNB" });
        PositionManagerSnapshot s = grid.Manager.CreateSnapshot();
        s.ParkedUpdates[0].Update.FeeAsset = " ";

        ArgumentException e = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(s, grid.Options, grid.Time));
        Assert.Contains("snapshot.ParkedUpdates[0].Update.FeeAsset", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BTC", null, "QuoteAsset")]
    [InlineData(null, "USDT", "BaseAsset")]
    [InlineData(" ", "USDT", "BaseAsset")]
    [InlineData("BTC", "US DT", "QuoteAsset")]
    [InlineData("btc", "BTC", "QuoteAsset")]
    public void OptionsThatCannotTellFeesApart_AreRefusedNamingTheProperty(string? baseAsset, string? quoteAsset, string property)
    {
        PositionManagerOptions options = Spot();
        (options.BaseAsset, options.QuoteAsset) = (baseAsset, quoteAsset);
        Assert.Throws<ArgumentException>(property, () => new SuperPositionManager(options));
    }
}
