using GridPositions.Fills;

namespace GridPositions.Slots;

/// <summary>What one input did to a slot, collected under the slot's lock and acted on after it is released.</summary>
internal struct SlotEffects
{
    /// <summary>The slot's observable state changed (publish SlotChanged).</summary>
    public bool Changed;

    /// <summary>Order ids whose index entries phase 3 must bring in line with the slot.</summary>
    public string? TouchedClientOrderId;
    public string? TouchedOrderId;

    /// <summary>Set when a fill was booked.</summary>
    public bool HasFill;
    public OrderSide FillSide;
    public OrderRole FillRole;
    public decimal FillQuantity;
    public decimal FillNotional;
    public decimal FillFee;

    /// <summary>The asset <see cref="FillFee"/> is paid in.</summary>
    public FeeCharge FillFeeCharge;
    public decimal FillRealizedPnl;
    public string? FillClientOrderId;
    public string? FillOrderId;

    /// <summary>The trade the fill came with, when the update carried a new one.</summary>
    public string? FillTradeId;

    public RoundTrip? CompletedTrip;

    /// <summary>Why the input was rejected, when it was.</summary>
    public string? Detail;

    /// <summary>The input was rejected for reporting more filled than the order's quantity.</summary>
    public bool Overfill;

    public readonly bool NeedsIndexSync => TouchedClientOrderId is not null || TouchedOrderId is not null;
}
