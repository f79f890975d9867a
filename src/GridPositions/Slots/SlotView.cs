namespace GridPositions;

/// <summary>An immutable copy of one slot, taken under its lock.</summary>
/// <param name="Price">The slot's grid level.</param>
/// <param name="Status">What the slot's order is doing.</param>
/// <param name="Order">The slot's current order, or null when the slot is free.</param>
/// <param name="Inventory">Quantity held.</param>
/// <param name="EntryNotional">Entry notional of the quantity held.</param>
/// <param name="EntryFees">Opening fees of the quantity held, not yet realised.</param>
/// <param name="RealizedPnl">Profit realised by this slot over its life, net of fees.</param>
/// <param name="RoundTrips">Completed round trips (flat, opened, closed back to flat).</param>
public sealed record SlotView(
    decimal Price,
    SlotStatus Status,
    OrderView? Order,
    decimal Inventory,
    decimal EntryNotional,
    decimal EntryFees,
    decimal RealizedPnl,
    long RoundTrips)
{
    /// <summary>Flat when the slot holds nothing, open otherwise.</summary>
    public PositionStatus PositionStatus => Inventory == 0 ? PositionStatus.Flat : PositionStatus.Open;

    /// <summary>Average entry price of the quantity held, or null when flat.</summary>
    public decimal? AverageEntryPrice => Inventory == 0 ? null : EntryNotional / Inventory;

    /// <summary>The open position's leverage, if its opening claim gave one.</summary>
    public int? Leverage { get; init; }

    /// <summary>The open position's stop-loss distance as a fraction of entry, if its opening claim gave one.</summary>
    public decimal? StopLossFraction { get; init; }

    /// <summary>The position's stop-loss price, if set (<see cref="SuperPositionManager.ModifyTargets"/>).</summary>
    public decimal? StopLoss { get; init; }

    /// <summary>The position's take-profit price, if set.</summary>
    public decimal? TakeProfit { get; init; }

    /// <summary>The lease the position was held under when copied (<see cref="LeaseKind.None"/> if none).</summary>
    /// <remarks>A lease ends by itself at <see cref="LeaseExpiresAt"/>; compare it with your clock.</remarks>
    public LeaseKind Lease { get; init; }

    /// <summary>When that lease ends by itself.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}

/// <summary>An immutable copy of a slot's current order.</summary>
/// <param name="ClientOrderId">Fixed at claim time.</param>
/// <param name="OrderId">The exchange's id, or null until known.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Role">Whether the order opens or closes the slot's position.</param>
/// <param name="Price">The order's limit price (for a closing order, another grid level than the slot's).</param>
/// <param name="Quantity">The order quantity.</param>
/// <param name="FilledQuantity">The cumulative fill already booked.</param>
/// <param name="ClaimToken">The token of the place claim that created the order.</param>
/// <param name="CancelPending">A cancel was claimed and its outcome is not final yet.</param>
public sealed record OrderView(
    string ClientOrderId,
    string? OrderId,
    OrderSide Side,
    OrderRole Role,
    decimal Price,
    decimal Quantity,
    decimal FilledQuantity,
    long ClaimToken,
    bool CancelPending)
{
    /// <summary>When the place was claimed. Unanswered past <see cref="PositionManagerOptions.PendingClaimTimeout"/>, it becomes <see cref="SlotStatus.Unknown"/>.</summary>
    public DateTimeOffset ClaimedAt { get; init; }
}
