namespace GridPositions;

/// <summary>An order action the manager accepted; the executor sends it to the exchange and reports an <see cref="OrderActionResult"/>.</summary>
/// <param name="Type">Place or cancel.</param>
/// <param name="SlotPrice">The price of the slot that owns the order.</param>
/// <param name="Side">The order side.</param>
/// <param name="Price">The order's limit price.</param>
/// <param name="Quantity">The order quantity.</param>
/// <param name="ClientOrderId">The client order id, fixed at claim time. Send it with the order.</param>
/// <param name="OrderId">For a cancel: the exchange id of the order to cancel (may be null only for a follow-up cancel of an order known by client id).</param>
/// <param name="ClaimToken">The claim this action answers; zero for a follow-up cancel that no slot claimed.</param>
public readonly record struct OrderAction(
    OrderActionType Type,
    decimal SlotPrice,
    OrderSide Side,
    decimal Price,
    decimal Quantity,
    string ClientOrderId,
    string? OrderId,
    long ClaimToken)
{
    /// <summary>Whether the order opens or closes the slot's position (a cancel: the role of the order it cancels).</summary>
    public OrderRole Role { get; init; }

    /// <summary>The order may only reduce the position: true for every closing order, never for an opening one. Send it where the venue takes it (futures).</summary>
    public bool ReduceOnly { get; init; }

    /// <summary>The order must rest on the book as a maker order, refused by the venue if it would trade at once.</summary>
    public bool PostOnly { get; init; }

    /// <summary>How long the order rests; unspecified: the venue's default.</summary>
    public TimeInForce TimeInForce { get; init; }

    /// <summary>The futures position the order belongs to: <see cref="PositionManagerOptions.HedgeMode"/>'s side, or both.</summary>
    public PositionSide PositionSide { get; init; }
}
