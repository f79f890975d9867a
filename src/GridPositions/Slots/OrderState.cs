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

    // Cumulative fill already booked to the slot; an update books only what exceeds these.
    public decimal FilledQuantity;
    public decimal FilledQuote;
    public decimal FilledFee;

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

/// <summary>The last order a slot finished: late results and updates for it are duplicates, not strangers.</summary>
internal struct FinishedOrderState
{
    public long ClaimToken;
    public string? ClientOrderId;
    public string? OrderId;

    /// <summary>The terminal status the exchange reported, or Unspecified when a failed place result freed the slot.</summary>
    public OrderStatus Status;
    public decimal FilledQuantity;

    public readonly bool Matches(string? orderId, string? clientOrderId) =>
        (orderId is not null && orderId == OrderId) || (clientOrderId is not null && clientOrderId == ClientOrderId);
}
