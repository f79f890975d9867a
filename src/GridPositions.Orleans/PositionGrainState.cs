namespace GridPositions.Orleans;

/// <summary>A manager's last snapshot, in its own grain-storage record: written at a checkpoint, not on every call.</summary>
[GenerateSerializer]
public sealed class PositionSnapshotState
{
    /// <summary>The snapshot's bytes, or null before the first checkpoint.</summary>
    [Id(0)]
    public byte[]? Payload { get; set; }

    /// <summary>The first journal sequence the snapshot does not reflect.</summary>
    [Id(1)]
    public ulong JournalStartSequence { get; set; }
}

/// <summary>The journal since the last snapshot, in its own record: each call appends to it, and a checkpoint empties it.</summary>
[GenerateSerializer]
public sealed class PositionJournalState
{
    /// <summary>The entries, in sequence order.</summary>
    [Id(0)]
    public List<PositionJournalEntry> Entries { get; set; } = [];

    /// <summary>
    /// The snapshot's journal start this record was trimmed to: a snapshot read with an older start (read before another
    /// activation's checkpoint, the journal after it) would leave a gap, and recovery refuses it.
    /// </summary>
    [Id(1)]
    public ulong TrimmedBelow { get; set; }
}

/// <summary>One journal entry: its sequence and the manager's bytes for it.</summary>
/// <param name="Sequence">Its sequence.</param>
/// <param name="Payload">Its bytes.</param>
[GenerateSerializer, Immutable]
public sealed record PositionJournalEntry([property: Id(0)] ulong Sequence, [property: Id(1)] byte[] Payload);
