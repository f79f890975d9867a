namespace GridPositions;

/// <summary>One slot's open position valued at a mark price.</summary>
/// <param name="SlotPrice">The slot.</param>
/// <param name="Inventory">Quantity held.</param>
/// <param name="EntryNotional">What the quantity held cost (its entry notional).</param>
/// <param name="EntryFees">Opening fees of the quantity held, not yet realised.</param>
/// <param name="MarkValue">The quantity held at the mark price.</param>
/// <param name="UnrealizedPnl">What closing the quantity held at the mark, with no exit fee, would realise: long (mark value - entry notional) - entry fees, short (entry notional - mark value) - entry fees.</param>
/// <param name="BreakEvenPrice">The mark at which <paramref name="UnrealizedPnl"/> is zero: the entry cost plus the fees paid, per unit.</param>
public sealed record SlotValuation(decimal SlotPrice, decimal Inventory, decimal EntryNotional, decimal EntryFees, decimal MarkValue, decimal UnrealizedPnl, decimal BreakEvenPrice);

/// <summary>Every open position valued at one mark price, each slot read atomically (the list is not one instant).</summary>
/// <param name="MarkPrice">The price the positions are valued at.</param>
/// <param name="Inventory">Quantity held across slots.</param>
/// <param name="UnrealizedPnl">The sum of the slots' unrealised profit at the mark.</param>
/// <param name="RealizedPnl">Profit realised across slots, net of fees; with <paramref name="UnrealizedPnl"/>, what the grid would have made if it closed everything at the mark with no exit fee.</param>
/// <param name="BreakEvenPrice">The mark at which the total unrealised profit is zero, or null when nothing is held.</param>
/// <param name="Slots">The slots that hold something, by ascending price.</param>
public sealed record PositionValuation(decimal MarkPrice, decimal Inventory, decimal UnrealizedPnl, decimal RealizedPnl, decimal? BreakEvenPrice, IReadOnlyList<SlotValuation> Slots)
{
    /// <summary>Fees paid across slots in assets neither base nor quote, by ascending name: not in <see cref="RealizedPnl"/>.</summary>
    public IReadOnlyList<AssetAmount> OtherFees { get; init; } = Fills.AssetAmountList.Empty;

    /// <summary>
    /// <see cref="OtherFees"/> in the quote asset at the rates given, or null when one has no rate (zero when there are
    /// none). <see cref="RealizedPnl"/> minus this is the realised profit net of every fee.
    /// </summary>
    public decimal? OtherFeesInQuote { get; init; }
}
