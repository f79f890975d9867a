using GridPositions.Persistence;
using GridPositions.Wire;

namespace GridPositions.Tests.Persistence;

/// <summary>An in-memory store that counts its flushes and can be told to fail.</summary>
internal sealed class MemoryStore(Durability durability) : IPositionStore
{
    private readonly object _sync = new();

    public Durability Durability => durability;

    public List<JournalRecord> Records { get; } = [];

    public int Flushes { get; private set; }

    public bool Fail { get; set; }

    /// <summary>When set, the next Append waits for it first (a slow disk).</summary>
    public Task? Gate { get; set; }

    /// <summary>Completed, with the batch's size, when an Append that waits on <see cref="Gate"/> has begun.</summary>
    public TaskCompletionSource<int> GatedAppendBegan { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StoreRecovery Recover() => new(null, 1);

    public void Append(IReadOnlyList<JournalEntry> entries)
    {
        List<JournalRecord> records = [.. entries.Select(e => JournalRecord.Parser.ParseFrom(e.Payload.Span))];
        Task? gate = Gate;
        Gate = null;
        if (gate is not null)
        {
            GatedAppendBegan.TrySetResult(records.Count);
        }

        gate?.Wait(TimeSpan.FromSeconds(60));
        lock (_sync)
        {
            if (Fail)
            {
                throw new IOException("disk full");
            }

            Records.AddRange(records);
            Flushes++;
        }
    }

    public void StartSegment(ulong firstSequence)
    {
    }

    /// <summary>Every snapshot written, oldest first.</summary>
    public List<StoreSnapshot> Checkpoints { get; } = [];

    public void Checkpoint(StoreSnapshot snapshot) => Checkpoints.Add(snapshot);

    public void Dispose()
    {
    }
}
