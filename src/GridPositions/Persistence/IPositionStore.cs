namespace GridPositions;

/// <summary>
/// Durable storage for one manager: snapshots plus a journal of what changed after each, both as bytes the store keeps
/// without reading. The manager writes to it only outside its locks, and replays what <see cref="Recover"/> returns
/// itself. <see cref="FilePositionStore"/> is the embedded default.
/// </summary>
public interface IPositionStore : IDisposable
{
    /// <summary>How durable a change is when the call that made it returns.</summary>
    Durability Durability { get; }

    /// <summary>
    /// Reads the latest snapshot and every journal entry after it, in sequence order. Called once, by
    /// <see cref="SuperPositionManager.Open"/>, which refuses a store another manager already owns.
    /// </summary>
    StoreRecovery Recover();

    /// <summary>Appends journal entries (consecutive sequence numbers) and flushes them to disk before returning.</summary>
    void Append(IReadOnlyList<JournalEntry> entries);

    /// <summary>Starts a new journal segment whose first entry will have <paramref name="firstSequence"/>.</summary>
    void StartSegment(ulong firstSequence);

    /// <summary>Durably stores a snapshot and drops journal segments it makes unnecessary (those before its <see cref="StoreSnapshot.JournalStartSequence"/>).</summary>
    void Checkpoint(StoreSnapshot snapshot);
}
