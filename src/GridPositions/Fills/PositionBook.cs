namespace GridPositions.Fills;

/// <summary>
/// A slot's inventory, cost and realised profit. All amounts are in the quote currency except quantities.
/// Only the growth of an order's cumulative fill reaches here, so each filled quantity is booked exactly once.
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

    /// <summary>Net quantity set without a fill, to match the exchange (negative: written off). Inventory = opened - closed + adjusted.</summary>
    public decimal AdjustedQuantity;
    public decimal ClosedExitNotional;
    public decimal ClosedEntryNotional;
    public decimal ClosedFees;

    // The round trip in progress: everything since the slot was last flat.
    public decimal TripQuantity;
    public decimal TripEntryNotional;
    public decimal TripExitNotional;
    public decimal TripFees;
    public long RoundTrips;

    public readonly bool IsFlat => Inventory == 0;

    /// <summary>Books an opening fill.</summary>
    public void Open(decimal quantity, decimal notional, decimal fee)
    {
        Inventory += quantity;
        EntryNotional += notional;
        EntryFees += fee;
        OpenedQuantity += quantity;
        TripQuantity += quantity;
        TripEntryNotional += notional;
        TripFees += fee;
    }

    /// <summary>
    /// Books a closing fill of <paramref name="quantity"/> (at most <see cref="Inventory"/>) and returns the profit it
    /// realises: <paramref name="sign"/> x (exit - entry) - entry fees of that quantity - <paramref name="fee"/>.
    /// </summary>
    /// <remarks>
    /// A partial close takes a pro-rata share of entry notional and fees (rounded to <see cref="ShareScale"/> places);
    /// the close that empties the slot takes all that remains, so a completed round trip is exact:
    /// sign x (exit notional - entry notional) - all fees.
    /// </remarks>
    public decimal Close(decimal quantity, decimal notional, decimal fee, int sign)
    {
        bool all = quantity >= Inventory;
        decimal entryPart = all ? EntryNotional : Share(EntryNotional, quantity);
        decimal entryFeePart = all ? EntryFees : Share(EntryFees, quantity);

        decimal realized = (sign * (notional - entryPart)) - entryFeePart - fee;
        Inventory -= quantity;
        EntryNotional -= entryPart;
        EntryFees -= entryFeePart;
        RealizedPnl += realized;
        ClosedQuantity += quantity;
        ClosedExitNotional += notional;
        ClosedEntryNotional += entryPart;
        ClosedFees += entryFeePart + fee;
        TripExitNotional += notional;
        TripFees += fee;
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
            TripQuantity += delta;
            TripEntryNotional += delta * estimatedEntryPrice;
        }

        Inventory = quantity;
        AdjustedQuantity += delta;
        if (Inventory == 0)
        {
            // Flat without a closing fill: no round trip to report; the next one starts clean.
            TripQuantity = TripEntryNotional = TripExitNotional = TripFees = 0;
        }
    }

    /// <summary>Ends the round trip in progress once the slot is flat again, returning its totals.</summary>
    public RoundTrip CompleteRoundTrip(int sign)
    {
        RoundTrips++;
        var trip = new RoundTrip(
            RoundTrips,
            TripQuantity,
            TripEntryNotional,
            TripExitNotional,
            TripFees,
            (sign * (TripExitNotional - TripEntryNotional)) - TripFees);
        TripQuantity = 0;
        TripEntryNotional = 0;
        TripExitNotional = 0;
        TripFees = 0;
        return trip;
    }
}

/// <summary>The totals of one completed round trip.</summary>
internal readonly record struct RoundTrip(long Number, decimal Quantity, decimal EntryNotional, decimal ExitNotional, decimal Fees, decimal RealizedPnl);
