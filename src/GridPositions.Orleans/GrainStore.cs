using Orleans.Storage;

namespace GridPositions.Orleans;

/// <summary>
/// The manager's <see cref="IPositionStore"/> inside a grain: it hands back what the grain read from storage at
/// activation, and keeps what the manager writes until the grain has written it to storage (before the call returns).
/// The manager never blocks on grain storage, which runs on the grain's scheduler.
/// </summary>
internal sealed class GrainStore(PositionSnapshotState snapshot, PositionJournalState journal) : IPositionStore
{
    private readonly List<PositionJournalEntry> _appended = [];
    private PositionSnapshotState? _checkpoint;

    /// <summary>Group commit: the journal's records of one call reach <see cref="Append"/> together.</summary>
    public Durability Durability => Durability.GroupCommit;

    public StoreRecovery Recover()
    {
        StoreSnapshot? stored = snapshot.Payload is { } payload ? new StoreSnapshot(snapshot.JournalStartSequence, payload) { Source = "grain storage: snapshot" } : null;
        ulong start = stored?.JournalStartSequence ?? 1;

        // The two records are read one after the other: another activation may have checkpointed between the reads.
        if (journal.TrimmedBelow > start)
        {
            throw new InconsistentStateException($"The journal was trimmed below {journal.TrimmedBelow}, after the snapshot read (which starts at {start}) was taken: another activation checkpointed meanwhile. Activate again.");
        }

        // A checkpoint written without the journal's emptying after it (the activation died between the two writes)
        // leaves entries the snapshot already reflects: they are skipped, as a file store's old segments are.
        List<JournalEntry> entries = [.. journal.Entries.Where(e => e.Sequence >= start).Select(e => new JournalEntry(e.Sequence, e.Payload) { Source = "grain storage: journal" })];
        if (entries.Count > 0 && entries[0].Sequence != start)
        {
            throw new InconsistentStateException($"The journal resumes at {entries[0].Sequence}, but the snapshot holds everything before {start} only: entries are missing. Activate again once the records agree.");
        }

        ulong next = entries.Count > 0 ? entries[^1].Sequence + 1 : start;
        return new StoreRecovery(stored, next) { Journal = entries };
    }

    public void Append(IReadOnlyList<JournalEntry> entries)
    {
        foreach (JournalEntry entry in entries)
        {
            _appended.Add(new PositionJournalEntry(entry.Sequence, entry.Payload.ToArray()));
        }
    }

    public void StartSegment(ulong firstSequence)
    {
        // One journal record holds everything since the last snapshot; a checkpoint trims it.
    }

    public void Checkpoint(StoreSnapshot snapshot) =>
        _checkpoint = new PositionSnapshotState { Payload = snapshot.Payload.ToArray(), JournalStartSequence = snapshot.JournalStartSequence };

    /// <summary>What the manager wrote since the last take: a new snapshot (or null) and the journal entries appended.</summary>
    public (PositionSnapshotState? Checkpoint, List<PositionJournalEntry> Appended) Take()
    {
        (PositionSnapshotState? checkpoint, List<PositionJournalEntry> appended) = (_checkpoint, [.. _appended]);
        _checkpoint = null;
        _appended.Clear();
        return (checkpoint, appended);
    }

    public void Dispose()
    {
    }
}
