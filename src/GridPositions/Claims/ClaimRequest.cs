namespace GridPositions;

/// <summary>What the strategy asks of a slot: place an order for it, or cancel its live order.</summary>
/// <remarks>
/// <see cref="SlotPrice"/> names the slot (the grid level that owns the position); <see cref="Price"/> is the order's
/// price. They differ for a closing order, which is placed at another level but belongs to the slot holding the inventory.
/// Use <see cref="Place"/> and <see cref="Cancel"/> to build one.
/// </remarks>
public readonly record struct ClaimRequest
{
    /// <summary>Place or cancel.</summary>
    public OrderActionType Type { get; init; }

    /// <summary>The price of the grid level (slot) the order belongs to.</summary>
    public decimal SlotPrice { get; init; }

    /// <summary>For a place: the order side. Opening side opens the slot's position; the other side closes it.</summary>
    public OrderSide Side { get; init; }

    /// <summary>For a place: the order's limit price.</summary>
    public decimal Price { get; init; }

    /// <summary>For a place: the order quantity.</summary>
    public decimal Quantity { get; init; }

    /// <summary>For a place: an optional client order id; when absent the manager generates one.</summary>
    public string? ClientOrderId { get; init; }

    /// <summary>
    /// For a place built by <see cref="Close"/>: the order closes the slot's whole position, so the manager sets the side
    /// (the closing side) and the quantity (the net inventory the slot holds when the claim is checked, after any
    /// base-asset fees). <see cref="Side"/> is then unspecified or the closing side and <see cref="Quantity"/> zero.
    /// </summary>
    public bool WholePosition { get; init; }

    /// <summary>
    /// For a place: reduce-only, or null (the default) for what the role implies. Every closing order is reduce-only and
    /// no opening order is: true on an opening claim or false on a closing one is refused.
    /// </summary>
    public bool? ReduceOnly { get; init; }

    /// <summary>For a place: a post-only (maker) order. Cannot be immediate (<see cref="TimeInForce.Ioc"/> or <see cref="TimeInForce.Fok"/>).</summary>
    public bool PostOnly { get; init; }

    /// <summary>For a place: how long the order rests; unspecified for the venue's default.</summary>
    public TimeInForce TimeInForce { get; init; }

    /// <summary>
    /// For a place: the futures position the order belongs to, to check against the manager's (its direction's in
    /// <see cref="PositionManagerOptions.HedgeMode"/>, otherwise both); unspecified takes the manager's.
    /// </summary>
    public PositionSide PositionSide { get; init; }

    /// <summary>For an opening place: the position's leverage, 1 to <see cref="PositionManagerOptions.MaxLeverage"/>; recorded on the slot.</summary>
    public int? Leverage { get; init; }

    /// <summary>For an opening place: the position's stop-loss distance as a fraction of entry, strictly between 0 and 1; recorded on the slot.</summary>
    public decimal? StopLossFraction { get; init; }

    /// <summary>A request to place an order for the slot at <paramref name="slotPrice"/>.</summary>
    public static ClaimRequest Place(decimal slotPrice, OrderSide side, decimal price, decimal quantity, string? clientOrderId = null) =>
        new()
        {
            Type = OrderActionType.Place,
            SlotPrice = slotPrice,
            Side = side,
            Price = price,
            Quantity = quantity,
            ClientOrderId = clientOrderId,
        };

    /// <summary>
    /// A request to close the whole position of the slot at <paramref name="slotPrice"/> with a limit order at
    /// <paramref name="price"/>, for exactly what the slot holds when the claim is checked (<see cref="WholePosition"/>).
    /// A flat slot refuses it as <see cref="ClaimRejection.WouldOversell"/>.
    /// </summary>
    public static ClaimRequest Close(decimal slotPrice, decimal price, string? clientOrderId = null) =>
        Place(slotPrice, OrderSide.Unspecified, price, 0m, clientOrderId) with { WholePosition = true };

    /// <summary>A request to cancel the live order of the slot at <paramref name="slotPrice"/>.</summary>
    public static ClaimRequest Cancel(decimal slotPrice) => new() { Type = OrderActionType.Cancel, SlotPrice = slotPrice };
}
