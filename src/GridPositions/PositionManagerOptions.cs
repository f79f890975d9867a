namespace GridPositions;

/// <summary>Settings for one <see cref="SuperPositionManager"/>: the instrument's grid and the manager's bounds.</summary>
/// <remarks>
/// The manager copies the options when it is constructed and validates the copy (an invalid value throws
/// <see cref="ArgumentException"/> naming the property), so changing this object afterwards changes nothing.
/// </remarks>
public sealed class PositionManagerOptions
{
    /// <summary>The instrument's symbol, for example <c>BTCUSDT</c>. Required.</summary>
    public string Symbol { get; set; } = "";

    /// <summary>
    /// The instrument's base asset as the exchange names fees in it, for example <c>BTC</c>. Set it with
    /// <see cref="QuoteAsset"/> to book fees by asset (<see cref="OrderUpdate.FeeAsset"/>); without both, every fee is in the quote asset.
    /// </summary>
    public string? BaseAsset { get; set; }

    /// <summary>The instrument's quote asset as the exchange names fees in it, for example <c>USDT</c>. Set with <see cref="BaseAsset"/>.</summary>
    public string? QuoteAsset { get; set; }

    /// <summary>The exchange's price increment. Every slot and order price must be a whole multiple of it.</summary>
    public decimal TickSize { get; set; }

    /// <summary>The exchange's quantity increment. Every order quantity must be a whole multiple of it.</summary>
    public decimal QuantityStep { get; set; }

    /// <summary>Whether the grid opens positions by buying (<see cref="GridDirection.Long"/>) or by selling (<see cref="GridDirection.Short"/>).</summary>
    public GridDirection Direction { get; set; } = GridDirection.Long;

    /// <summary>Prefix of the client order ids the manager generates. Default <c>gp</c>.</summary>
    public string ClientOrderIdPrefix { get; set; } = "gp";

    /// <summary>How many order updates that match no known order may wait for their mapping. Default 1024.</summary>
    /// <remarks>When full, the oldest waiting update expires (counted in <see cref="ManagerCounters.UpdatesExpired"/>).</remarks>
    public int ParkedUpdateCapacity { get; set; } = 1024;

    /// <summary>How long an update that matches no known order may wait for its mapping. Default 30 seconds.</summary>
    public TimeSpan ParkedUpdateTimeToLive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many finished orders per id kind are remembered, so their late updates are recognised as duplicates instead of parked. Default 4096.</summary>
    public int RetiredOrderCapacity { get; set; } = 4096;

    /// <summary>How long a close or modify lease holds a position before it ends by itself (crashed or hung caller). Default 30 seconds.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after an ambiguous place (timeout) reconciliation must wait before it may conclude, from the order's
    /// absence on the exchange, that it never arrived and free its slot: a request can still be in flight. Default 30 seconds.
    /// </summary>
    public TimeSpan AmbiguousPlaceGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a claim may wait for its result before it ends by itself (an executor that crashed or hung). Past it, a
    /// place with no result becomes <see cref="SlotStatus.Unknown"/>, for an update, a late result or reconciliation to
    /// settle by its client order id; a cancel with no result gives the order back as <see cref="SlotStatus.Live"/>.
    /// Checked when the slot is next claimed, closed or reconciled. Default 30 seconds.
    /// </summary>
    public TimeSpan PendingClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With a journaling store: checkpoint (snapshot and truncate the journal) after this many records. Default 100,000; 0: only when asked.</summary>
    public int CheckpointEveryRecords { get; set; } = 100_000;

    /// <summary>The highest leverage an opening claim may ask for. Default 125 (the lowest is always 1).</summary>
    public int MaxLeverage { get; set; } = 125;

    /// <summary>
    /// The futures account is in hedge mode: every order of a long grid belongs to the long position
    /// (<see cref="PositionSide.Long"/>) and of a short grid to the short one. Otherwise (one-way mode, and spot) every
    /// order's position side is <see cref="PositionSide.Both"/>. Carried on every <see cref="OrderAction.PositionSide"/>.
    /// </summary>
    public bool HedgeMode { get; set; }

    /// <summary>
    /// Fees come from each trade (<see cref="TradeFill.Fee"/>), not from cumulative reports: set it for venues that report
    /// fees per trade only (Binance spot and USDⓈ-M futures, Bybit linear and spot). Then an update's
    /// <see cref="OrderUpdate.CumulativeFee"/> must be zero; otherwise a trade's fee must be. Orders keep the mode they
    /// were claimed under: a store whose live orders were claimed under the other mode is refused on open.
    /// </summary>
    public bool FeesPerTrade { get; set; }

    /// <summary>A copy (every property is a value or an immutable string).</summary>
    internal PositionManagerOptions Copy() => (PositionManagerOptions)MemberwiseClone();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Symbol))
        {
            throw new ArgumentException("Symbol is required.", nameof(Symbol));
        }

        if ((BaseAsset is null) != (QuoteAsset is null))
        {
            string missing = BaseAsset is null ? nameof(BaseAsset) : nameof(QuoteAsset);
            throw new ArgumentException($"{missing} is required when {(BaseAsset is null ? nameof(QuoteAsset) : nameof(BaseAsset))} is set: fees are told apart by both.", missing);
        }

        foreach ((string? asset, string name) in new[] { (BaseAsset, nameof(BaseAsset)), (QuoteAsset, nameof(QuoteAsset)) })
        {
            if (asset is not null && (string.IsNullOrWhiteSpace(asset) ? $"{name} must not be blank." : Fills.FeeAssets.DescribeName(asset, name)) is { } problem)
            {
                throw new ArgumentException(problem, name);
            }
        }

        if (BaseAsset is not null && string.Equals(BaseAsset, QuoteAsset, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"BaseAsset and QuoteAsset are both '{BaseAsset}'; they must differ.", nameof(QuoteAsset));
        }

        if (TickSize <= 0)
        {
            throw new ArgumentException($"TickSize must be positive; got {TickSize}.", nameof(TickSize));
        }

        if (QuantityStep <= 0)
        {
            throw new ArgumentException($"QuantityStep must be positive; got {QuantityStep}.", nameof(QuantityStep));
        }

        if (Direction is not (GridDirection.Long or GridDirection.Short))
        {
            throw new ArgumentException($"Direction must be Long or Short; got {Direction}.", nameof(Direction));
        }

        if (string.IsNullOrWhiteSpace(ClientOrderIdPrefix))
        {
            throw new ArgumentException("ClientOrderIdPrefix must not be empty.", nameof(ClientOrderIdPrefix));
        }

        if (ParkedUpdateCapacity < 1)
        {
            throw new ArgumentException($"ParkedUpdateCapacity must be at least 1; got {ParkedUpdateCapacity}.", nameof(ParkedUpdateCapacity));
        }

        if (ParkedUpdateTimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ParkedUpdateTimeToLive must be positive; got {ParkedUpdateTimeToLive}.", nameof(ParkedUpdateTimeToLive));
        }

        if (LeaseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LeaseTimeout must be positive; got {LeaseTimeout}.", nameof(LeaseTimeout));
        }

        if (PendingClaimTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"PendingClaimTimeout must be positive; got {PendingClaimTimeout}.", nameof(PendingClaimTimeout));
        }

        if (AmbiguousPlaceGracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException($"AmbiguousPlaceGracePeriod must not be negative; got {AmbiguousPlaceGracePeriod}.", nameof(AmbiguousPlaceGracePeriod));
        }

        if (CheckpointEveryRecords < 0)
        {
            throw new ArgumentException($"CheckpointEveryRecords must not be negative; got {CheckpointEveryRecords}.", nameof(CheckpointEveryRecords));
        }

        if (MaxLeverage < 1)
        {
            throw new ArgumentException($"MaxLeverage must be at least 1; got {MaxLeverage}.", nameof(MaxLeverage));
        }

        if (RetiredOrderCapacity < 0)
        {
            throw new ArgumentException($"RetiredOrderCapacity must not be negative; got {RetiredOrderCapacity}.", nameof(RetiredOrderCapacity));
        }
    }
}
