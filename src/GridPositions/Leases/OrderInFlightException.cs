namespace GridPositions;

/// <summary>
/// Thrown by <see cref="SuperPositionManager.ClaimCloseOrder"/> while the slot still has an order in flight: its cancel
/// (<see cref="SuperPositionManager.ClaimCancel(PositionLease)"/>) or its result must land before the closing order.
/// The lease is kept.
/// </summary>
public sealed class OrderInFlightException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public OrderInFlightException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OrderInFlightException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public OrderInFlightException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal OrderInFlightException(decimal slotPrice, string clientOrderId, SlotStatus status)
        : base($"Slot {slotPrice} still has order {clientOrderId} ({status}); its cancel or result must land before the closing order.")
    {
        SlotPrice = slotPrice;
        ClientOrderId = clientOrderId;
        Status = status;
    }

    /// <summary>The slot whose order is in flight.</summary>
    public decimal SlotPrice { get; }

    /// <summary>The order's client order id.</summary>
    public string? ClientOrderId { get; }

    /// <summary>What the order is doing.</summary>
    public SlotStatus Status { get; }
}
