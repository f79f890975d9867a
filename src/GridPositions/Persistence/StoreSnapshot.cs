namespace GridPositions;

/// <summary>A snapshot as a store keeps it: the manager's bytes, and the first journal sequence to replay over it.</summary>
/// <param name="JournalStartSequence">The first journal sequence not certainly reflected in the snapshot; journal entries before it can be dropped.</param>
/// <param name="Payload">The snapshot's bytes.</param>
public sealed record StoreSnapshot(ulong JournalStartSequence, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Where a recovered snapshot was read from (a file, a key), so damage the manager finds in it is named.</summary>
    public string? Source { get; init; }

    /// <summary>Where in <see cref="Source"/> the snapshot begins.</summary>
    public long Offset { get; init; }
}
