using GridPositions.Wire;

namespace GridPositions;

/// <summary>
/// Durable storage for one manager: snapshots plus a journal of what changed after each. The manager writes to it
/// only outside its locks. <see cref="FilePositionStore"/> is the embedded default.
/// </summary>
public interface IPositionStore : IDisposable
{
    /// <summary>How durable a change is when the call that made it returns.</summary>
    Durability Durability { get; }

    /// <summary>Reads the latest snapshot with every journal record after it applied. Called once, by <see cref="SuperPositionManager.Open"/>, which refuses a store another manager already owns.</summary>
    StoreRecovery Recover();

    /// <summary>Appends journal records (consecutive sequence numbers) and flushes them to disk before returning.</summary>
    void Append(IReadOnlyList<JournalRecord> records);

    /// <summary>Starts a new journal segment whose first record will have <paramref name="firstSequence"/>.</summary>
    void StartSegment(ulong firstSequence);

    /// <summary>Durably stores a snapshot and drops journal segments it makes unnecessary.</summary>
    void Checkpoint(PositionManagerSnapshot snapshot);
}

/// <summary>What a store recovered.</summary>
/// <param name="Snapshot">The recovered state, or null for an empty store.</param>
/// <param name="NextSequence">The sequence number the next journal record must have.</param>
public sealed record StoreRecovery(PositionManagerSnapshot? Snapshot, ulong NextSequence)
{
    /// <summary>The torn last record recovery cut off (a crash mid-write), if there was one. It held nothing acknowledged.</summary>
    public TornTail? TornTail { get; init; }
}

/// <summary>A torn last journal record that recovery cut off.</summary>
/// <param name="File">The journal segment.</param>
/// <param name="Offset">Where the torn record began; the file now ends there.</param>
/// <param name="BytesCut">How many bytes were cut.</param>
public sealed record TornTail(string File, long Offset, long BytesCut);
