namespace GridPositions;

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

    /// <summary>A closing order: it may only reduce the position.</summary>
    public bool ReduceOnly => Role == OrderRole.Close;

    /// <summary>Claimed post-only (a maker order).</summary>
    public bool PostOnly { get; init; }

    /// <summary>The time in force it was claimed with.</summary>
    public TimeInForce TimeInForce { get; init; }

    /// <summary>The futures position it belongs to.</summary>
    public PositionSide PositionSide { get; init; }
}
