namespace GridPositions;

/// <summary>Another process (or another store object) owns the store's directory.</summary>
public sealed class StoreLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StoreLockedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StoreLockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public StoreLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
