namespace GridPositions.Slots;

/// <summary>The order a slot owns right now. Meaningful only while the slot is not <see cref="SlotStatus.Free"/>.</summary>
internal struct OrderState
{
    /// <summary>The token of the place claim that created this order.</summary>
    public long ClaimToken;

    /// <summary>When the place was claimed: a place whose result has not come within the pending-claim timeout becomes Unknown.</summary>
    public DateTimeOffset ClaimedAt;

    /// <summary>The close lease the place was claimed under (0: a strategy claim); the claim lapses when that lease ends.</summary>
    public long LeaseToken;
    public string ClientOrderId;

    /// <summary>Null until a place result or an update tells the exchange's id.</summary>
    public string? OrderId;
    public OrderSide Side;
    public OrderRole Role;
    public decimal Price;
    public decimal Quantity;

    // Fill already booked to the slot: the cumulative reports' or the trades' totals, whichever is ahead by quantity.
    // An update books only what exceeds these.
    public decimal FilledQuantity;
    public decimal FilledQuote;

    /// <summary>The cumulative fee booked from reports (always zero when <see cref="FeesPerTrade"/>).</summary>
    public decimal FilledFee;

    /// <summary>The highest cumulative quantity a report has stated: its fee is the one booked (a report behind it is older).</summary>
    public decimal ReportedQuantity;

    /// <summary>The trades seen, by id (null: none); an array replaced whole, never edited, so a state read earlier keeps its own.</summary>
    public string[]? TradeIds;

    /// <summary>The sums of those trades' quantities and notionals.</summary>
    public decimal TradeQuantity;
    public decimal TradeQuote;

    /// <summary>Base-asset fees booked for this order, from either source: the slot holds its fill less sign x these.</summary>
    public decimal BaseFees;

    /// <summary>Fees are booked from trades (<see cref="PositionManagerOptions.FeesPerTrade"/> when it was claimed).</summary>
    public bool FeesPerTrade;

    /// <summary>
    /// The order as it was claimed, not only a finished order's ids and fill restored from a store written before
    /// finished orders were kept whole (its fill and fees were booked from its reports; a late trade adds nothing).
    /// </summary>
    public readonly bool IsWhole => Quantity > 0;

    /// <summary>What <see cref="FilledFee"/> is paid in: Unspecified until a fee is booked, then every fee of the order.</summary>
    public FeeAssetKind FeeKind;

    /// <summary>The asset's upper-case name when <see cref="FeeKind"/> is Other.</summary>
    public string? FeeAsset;

    /// <summary>
    /// The intent the order was sent with. Reduce-only follows from <see cref="Role"/>; the position side is the options'
    /// at claim time, kept so that a store reopened under other options is refused rather than its orders re-described.
    /// </summary>
    public bool PostOnly;
    public TimeInForce TimeInForce;
    public PositionSide PositionSide;

    /// <summary>Non-zero while a cancel claim is outstanding (slot status PendingCancel).</summary>
    public long CancelToken;

    /// <summary>When the cancel was claimed.</summary>
    public DateTimeOffset CancelClaimedAt;

    /// <summary>The close lease the cancel was claimed under (0: a strategy claim); the claim lapses when that lease ends.</summary>
    public long CancelLeaseToken;

    /// <summary>The exchange accepted the cancel; the order stays the slot's until its terminal update arrives.</summary>
    public bool CancelAccepted;

    /// <summary>When the place result came back ambiguous (status Unknown); reconciliation waits a grace period after it.</summary>
    public DateTimeOffset? UnknownSince;

    public readonly bool Matches(string? orderId, string? clientOrderId) =>
        (orderId is not null && orderId == OrderId) || (clientOrderId is not null && clientOrderId == ClientOrderId);

    /// <summary><paramref name="action"/> carrying this order's intent (a cancel tells the executor what it cancels).</summary>
    public readonly OrderAction WithIntent(in OrderAction action) => action with
    {
        Role = Role,
        ReduceOnly = Role == OrderRole.Close,
        PostOnly = PostOnly,
        TimeInForce = TimeInForce,
        PositionSide = PositionSide,
    };
}

/// <summary>
/// The last order a slot finished: late results and updates for it are duplicates, not strangers, and a late trade or
/// fee report still books its fee (never more quantity).
/// </summary>
internal struct FinishedOrderState
{
    /// <summary>The order as it finished (its cancel and lease fields mean nothing any more).</summary>
    public OrderState Order;

    /// <summary>The terminal status the exchange reported, or Unspecified when a failed place result freed the slot.</summary>
    public OrderStatus Status;

    public readonly long ClaimToken => Order.ClaimToken;

    public readonly string? ClientOrderId => Order.ClientOrderId;

    public readonly string? OrderId => Order.OrderId;

    public readonly decimal FilledQuantity => Order.FilledQuantity;

    public readonly bool Matches(string? orderId, string? clientOrderId) => Order.Matches(orderId, clientOrderId);
}
