namespace GridPositions;

/// <summary>Totals over all slots.</summary>
/// <param name="Inventory">Quantity held across slots.</param>
/// <param name="EntryNotional">Entry notional of the quantity held.</param>
/// <param name="RealizedPnl">Profit realised across slots, net of fees.</param>
/// <param name="RoundTrips">Round trips completed across slots.</param>
public readonly record struct PositionTotals(decimal Inventory, decimal EntryNotional, decimal RealizedPnl, long RoundTrips)
{
    private readonly IReadOnlyList<AssetAmount>? _otherFees;

    /// <summary>Base-asset fees paid across slots, in quantity (already taken from <see cref="Inventory"/>).</summary>
    public decimal BaseFees { get; init; }

    /// <summary>Fees paid across slots in assets neither base nor quote, by ascending name; not in <see cref="RealizedPnl"/>.</summary>
    public IReadOnlyList<AssetAmount> OtherFees { get => _otherFees ?? []; init => _otherFees = value is null || value.Count == 0 ? null : value; } // none is stored as null, so equality holds
}
