namespace GridPositions;

/// <summary>A store's files are damaged somewhere other than a torn last record; nothing was recovered.</summary>
public sealed class StoreCorruptedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StoreCorruptedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StoreCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public StoreCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal StoreCorruptedException(string file, long offset, string problem)
        : base($"Store file {file} is corrupt at offset {offset}: {problem}.")
    {
        File = file;
        Offset = offset;
    }

    /// <summary>The damaged file.</summary>
    public string? File { get; }

    /// <summary>Where in it the damage starts.</summary>
    public long Offset { get; }
}
