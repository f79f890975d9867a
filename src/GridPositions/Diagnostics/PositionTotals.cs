namespace GridPositions;

/// <summary>Totals over all slots.</summary>
/// <param name="Inventory">Quantity held across slots.</param>
/// <param name="EntryNotional">Entry notional of the quantity held.</param>
/// <param name="RealizedPnl">Profit realised across slots, net of fees.</param>
/// <param name="RoundTrips">Round trips completed across slots.</param>
public readonly record struct PositionTotals(decimal Inventory, decimal EntryNotional, decimal RealizedPnl, long RoundTrips);
