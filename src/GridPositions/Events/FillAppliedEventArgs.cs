namespace GridPositions;

/// <summary>
/// A fill was booked to a slot: the growth of an order's fill, counted once. A fee that arrives after its fill (a late
/// trade, or a cumulative report behind the trades) is booked alone, with a <see cref="Quantity"/> of zero.
/// </summary>
public sealed class FillAppliedEventArgs : PositionEventArgs
{
    /// <summary>The slot that owns the order.</summary>
    public required decimal SlotPrice { get; init; }

    /// <summary>The order's client id.</summary>
    public required string ClientOrderId { get; init; }

    /// <summary>The order's exchange id, if known.</summary>
    public string? OrderId { get; init; }

    /// <summary>The order side.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>Whether the fill opened or closed inventory.</summary>
    public required OrderRole Role { get; init; }

    /// <summary>Quantity newly filled.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>Notional of the quantity newly filled.</summary>
    public required decimal Notional { get; init; }

    /// <summary>Fee of the quantity newly filled, in <see cref="FeeKind"/>'s asset.</summary>
    public required decimal Fee { get; init; }

    /// <summary>What <see cref="Fee"/> is paid in: the quote asset, the base asset (paid in quantity), or <see cref="FeeAsset"/>.</summary>
    public FeeAssetKind FeeKind { get; init; } = FeeAssetKind.Quote;

    /// <summary>The fee's asset when <see cref="FeeKind"/> is <see cref="FeeAssetKind.Other"/>, upper case; otherwise null.</summary>
    public string? FeeAsset { get; init; }

    /// <summary>The trade the fill came with, when the update carried one not seen before; otherwise null.</summary>
    public string? TradeId { get; init; }

    /// <summary>Profit this fill realised (zero for an opening fill).</summary>
    public required decimal RealizedPnl { get; init; }

    /// <summary>The slot's inventory after the fill.</summary>
    public required decimal InventoryAfter { get; init; }
}
