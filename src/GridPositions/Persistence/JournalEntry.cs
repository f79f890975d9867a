namespace GridPositions;

/// <summary>
/// One journal entry: its sequence number and the manager's bytes for it, which a store keeps as they are and never
/// needs to read.
/// </summary>
/// <param name="Sequence">The entry's place in the journal; a store's entries are consecutive.</param>
/// <param name="Payload">The entry's bytes.</param>
public readonly record struct JournalEntry(ulong Sequence, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Where a recovered entry was read from (a file, a key), so damage the manager finds in it is named.</summary>
    public string? Source { get; init; }

    /// <summary>Where in <see cref="Source"/> the entry begins.</summary>
    public long Offset { get; init; }
}
