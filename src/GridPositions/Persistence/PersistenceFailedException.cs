namespace GridPositions;

/// <summary>
/// Writing the journal failed: changes made since the last durable record exist only in memory. The manager refuses
/// to report further changes as durable; reopen it from the store.
/// </summary>
public sealed class PersistenceFailedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PersistenceFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PersistenceFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PersistenceFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
