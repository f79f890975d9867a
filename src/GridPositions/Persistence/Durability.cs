namespace GridPositions;

/// <summary>When a change is on disk, for a manager opened on a store.</summary>
public enum Durability
{
    /// <summary>
    /// No journal: only <see cref="SuperPositionManager.Checkpoint"/> writes (a snapshot). After a crash the manager
    /// recovers to its last checkpoint. For tests and benchmarks.
    /// </summary>
    None = 0,

    /// <summary>
    /// Every call that changes a slot returns only once its journal records are written and flushed to disk; calls
    /// racing each other share one flush (group commit).
    /// </summary>
    GroupCommit = 1,

    /// <summary>As <see cref="GroupCommit"/>, but each record is written and flushed to disk on its own.</summary>
    EveryRecord = 2,
}
