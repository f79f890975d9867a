namespace GridPositions;

/// <summary>What a store recovered: the latest snapshot and the journal after it, for the manager to replay.</summary>
/// <param name="Snapshot">The latest snapshot, or null for an empty store.</param>
/// <param name="NextSequence">The sequence number the next journal entry must have.</param>
public sealed record StoreRecovery(StoreSnapshot? Snapshot, ulong NextSequence)
{
    /// <summary>The journal entries from the snapshot's <see cref="StoreSnapshot.JournalStartSequence"/> on, in sequence order.</summary>
    public IReadOnlyList<JournalEntry> Journal { get; init; } = [];

    /// <summary>The torn last entry recovery cut off (a crash mid-write), if there was one. It held nothing acknowledged.</summary>
    public TornTail? TornTail { get; init; }
}
