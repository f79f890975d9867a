namespace GridPositions;

/// <summary>Thrown when a close or modify finds the slot's position already being closed or modified.</summary>
public sealed class PositionConflictException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PositionConflictException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PositionConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PositionConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal PositionConflictException(decimal slotPrice, LeaseKind heldFor, DateTimeOffset until)
        : base($"Position at {slotPrice} is already {(heldFor == LeaseKind.Close ? "closing" : "being modified")} (lease held until {until:O}).")
    {
        SlotPrice = slotPrice;
        HeldFor = heldFor;
        HeldUntil = until;
    }

    /// <summary>The slot whose position is held.</summary>
    public decimal SlotPrice { get; }

    /// <summary>What the position is held for.</summary>
    public LeaseKind HeldFor { get; }

    /// <summary>When the holder's lease expires unless it finishes first.</summary>
    public DateTimeOffset HeldUntil { get; }
}
