namespace GridPositions;

/// <summary>
/// Thrown when a lease holder acts after its lease expired or was released: a late finisher is refused, so it can
/// never close or modify a position another caller now holds.
/// </summary>
public sealed class LeaseLostException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public LeaseLostException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LeaseLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
