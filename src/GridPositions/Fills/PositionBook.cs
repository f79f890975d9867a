namespace GridPositions.Fills;

/// <summary>
/// A slot's inventory, cost and realised profit. All amounts are in the quote currency except quantities, base-asset
/// fees (paid in quantity) and other assets' fees (kept per asset).
/// Only the growth of an order's booked fill reaches here, so each filled quantity is booked exactly once; a fee may
/// arrive after its fill, as a booking of quantity zero.
/// </summary>
/// <remarks>Mutated only under the owning slot's lock.</remarks>
internal struct PositionBook
{
    /// <summary>
    /// Decimal places a pro-rata share of entry cost is rounded to, so every later sum stays exact and the realised
    /// profit always equals the one recomputed from the totals. The close that flattens the slot takes the exact rest.
    /// </summary>
    public const int ShareScale = 12;

    /// <summary>Quantity held now (never negative).</summary>
    public decimal Inventory;

    /// <summary>Entry notional of the quantity held now.</summary>
    public decimal EntryNotional;

    /// <summary>Opening fees of the quantity held now; realised as the quantity is closed.</summary>
    public decimal EntryFees;

    public decimal RealizedPnl;

    // Lifetime totals that CheckInvariants recomputes Inventory and RealizedPnl from.
    public decimal OpenedQuantity;
    public decimal ClosedQuantity;

    /// <summary>Net quantity set without a fill, to match the exchange (negative: written off). Inventory = opened - closed + adjusted - sign x base fees.</summary>
    public decimal AdjustedQuantity;
    public decimal ClosedExitNotional;
    public decimal ClosedEntryNotional;
    public decimal ClosedFees;

    /// <summary>Lifetime base-asset fees, paid in quantity: each lowered the base balance, so the inventory by sign x fee.</summary>
    public decimal BaseFees;

    /// <summary>Lifetime fees in other assets, by ascending name; null when none. Never edited: replaced whole.</summary>
    public AssetAmount[]? OtherFees;

    /// <summary>The closed totals when the slot was last flat: a round trip is what they grew by since.</summary>
    public ClosedTotals TripStart;
    public long RoundTrips;

    public readonly bool IsFlat => Inventory == 0;

    /// <summary>What the inventory becomes when a fill of <paramref name="quantity"/> pays <paramref name="baseFee"/> in the base asset.</summary>
    /// <remarks>The base balance goes up by a buy and down by a sell and a fee; the inventory is sign x that balance.</remarks>
    public readonly decimal InventoryAfter(OrderRole role, decimal quantity, decimal baseFee, int sign) =>
        (role == OrderRole.Open ? Inventory + quantity : Inventory - quantity) - (sign * baseFee);

    /// <summary>
    /// Books an opening fill with its quote fee (entry fees) and base fee (paid in quantity). Every sum is computed before
    /// any is stored, so an overflow changes nothing.
    /// </summary>
    public void Open(decimal quantity, decimal notional, decimal fee, decimal baseFee, int sign)
    {
        decimal inventory = InventoryAfter(OrderRole.Open, quantity, baseFee, sign), entryNotional = EntryNotional + notional;
        decimal entryFees = EntryFees + fee, opened = OpenedQuantity + quantity, baseFees = BaseFees + baseFee;
        (Inventory, EntryNotional, EntryFees, OpenedQuantity, BaseFees) = (inventory, entryNotional, entryFees, opened, baseFees);
    }


    /// <summary>
    /// Books a closing fill of <paramref name="quantity"/> paying <paramref name="fee"/> in the quote asset and
    /// <paramref name="baseFee"/> in the base asset (the caller checked the inventory covers both), and returns the profit
    /// it realises: <paramref name="sign"/> x (exit - entry) - entry fees of the quantity it takes - <paramref name="fee"/>.
    /// </summary>
    /// <remarks>
    /// It takes from the inventory the fill plus sign x the base fee. A partial close takes a pro-rata share of entry
    /// notional and fees (rounded to <see cref="ShareScale"/> places); the close that empties the slot takes all that
    /// remains, so a completed round trip is exact: sign x (exit notional - entry notional) - all quote fees.
    /// </remarks>
    public decimal Close(decimal quantity, decimal notional, decimal fee, decimal baseFee, int sign)
    {
        decimal inventory = InventoryAfter(OrderRole.Close, quantity, baseFee, sign), taken = Inventory - inventory;
        bool all = inventory <= 0;
        decimal entryPart = all ? EntryNotional : Share(EntryNotional, taken);
        decimal entryFeePart = all ? EntryFees : Share(EntryFees, taken);

        // Every value is computed before any is stored, so an overflow changes nothing.
        decimal realized = (sign * (notional - entryPart)) - entryFeePart - fee;
        decimal entryNotional = EntryNotional - entryPart, entryFees = EntryFees - entryFeePart, baseFees = BaseFees + baseFee;
        decimal realizedPnl = RealizedPnl + realized, closed = ClosedQuantity + quantity, closedExit = ClosedExitNotional + notional;
        decimal closedEntry = ClosedEntryNotional + entryPart, closedFees = ClosedFees + entryFeePart + fee;
        (Inventory, EntryNotional, EntryFees, RealizedPnl, BaseFees) = (inventory, entryNotional, entryFees, realizedPnl, baseFees);
        (ClosedQuantity, ClosedExitNotional, ClosedEntryNotional, ClosedFees) = (closed, closedExit, closedEntry, closedFees);
        return realized;
    }

    private readonly decimal Share(decimal total, decimal quantity) =>
        decimal.Round(total * quantity / Inventory, ShareScale, MidpointRounding.ToEven);

    /// <summary>
    /// Sets the inventory to <paramref name="quantity"/> without a fill, because the exchange says so. Realises no
    /// profit: a decrease writes off a pro-rata share of entry cost (all of it when going flat); an increase is
    /// booked at <paramref name="estimatedEntryPrice"/>.
    /// </summary>
    public void AdjustTo(decimal quantity, decimal estimatedEntryPrice)
    {
        decimal delta = quantity - Inventory;
        if (delta < 0)
        {
            bool all = quantity == 0;
            decimal entryPart = all ? EntryNotional : Share(EntryNotional, -delta);
            decimal entryFeePart = all ? EntryFees : Share(EntryFees, -delta);
            EntryNotional -= entryPart;
            EntryFees -= entryFeePart;
        }
        else
        {
            EntryNotional += delta * estimatedEntryPrice;
        }

        Inventory = quantity;
        AdjustedQuantity += delta;
        if (Inventory == 0)
        {
            TripStart = Closed; // flat without a closing fill: no round trip to report; the next one starts here
        }
    }

    /// <summary>Ends the round trip in progress once a closing fill made the slot flat, returning its totals.</summary>
    public RoundTrip CompleteRoundTrip(int sign)
    {
        RoundTrips++;
        ClosedTotals end = Closed;
        decimal quantity = end.Quantity - TripStart.Quantity, entry = end.EntryNotional - TripStart.EntryNotional;
        decimal exit = end.ExitNotional - TripStart.ExitNotional, fees = end.Fees - TripStart.Fees;
        TripStart = end;
        return new RoundTrip(RoundTrips, quantity, entry, exit, fees, (sign * (exit - entry)) - fees);
    }

    /// <summary>
    /// Books a base-asset fee that arrives when the slot is flat and leaves it holding sign x -fee (a short grid owes it):
    /// a residue at no entry cost, the start of the next round trip, whose close realises what buying it back costs.
    /// </summary>
    public void HoldFeeResidue(decimal baseFee, int sign)
    {
        decimal inventory = Inventory - (sign * baseFee), baseFees = BaseFees + baseFee;
        (Inventory, BaseFees) = (inventory, baseFees);
        TripStart = Closed;
    }

    /// <summary>Starts the next round trip here: what was closed while flat (a late fee) belongs to no trip.</summary>
    public void SkipTrip() => TripStart = Closed;

    private readonly ClosedTotals Closed => new(ClosedQuantity, ClosedEntryNotional, ClosedExitNotional, ClosedFees);
}

/// <summary>The lifetime closed totals at one moment.</summary>
internal readonly record struct ClosedTotals(decimal Quantity, decimal EntryNotional, decimal ExitNotional, decimal Fees);

/// <summary>The totals of one completed round trip (a class: made only when a trip completes).</summary>
internal sealed record RoundTrip(long Number, decimal Quantity, decimal EntryNotional, decimal ExitNotional, decimal Fees, decimal RealizedPnl);
