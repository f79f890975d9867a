using GridPositions.Server.Protocol;
using GridPositions.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace GridPositions.Orleans;

/// <summary>
/// A manager as a grain. Orleans runs one call at a time per activation, so each call is the manager's call followed by
/// the write of what it journaled, and returns only after the write. A write the storage refuses (its ETag moved: a
/// newer activation wrote) fences this activation: it answers nothing more and deactivates, so the change it made in
/// memory is never acknowledged and the live activation's books stand.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The store lives as long as the activation and is disposed in OnDeactivateAsync.")]
internal sealed class PositionGrain(
    [PersistentState("snapshot", PositionGrainOptions.StorageName)] IPersistentState<PositionSnapshotState> snapshot,
    [PersistentState("journal", PositionGrainOptions.StorageName)] IPersistentState<PositionJournalState> journal,
    IOptions<PositionGrainOptions> options,
    IServiceProvider services) : Grain, IPositionGrain
{
    private GrainStore? _store;
    private SuperPositionManager? _manager;
    private bool _fenced;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        if (!options.Value.Managers.TryGetValue(key, out PositionManagerOptions? managerOptions))
        {
            throw new InvalidOperationException($"No manager is configured for grain '{key}' (PositionGrainOptions.Managers).");
        }

        _store = new GrainStore(snapshot.State, journal.State);
        _manager = SuperPositionManager.Open(_store, managerOptions, services.GetService<TimeProvider>());
        await FlushAsync().ConfigureAwait(true); // a new store's first checkpoint, and the claims a dead activation left, lapsed
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_manager is null)
        {
            return;
        }

        _manager.Dispose(); // its last checkpoint, kept by the store
        if (!_fenced)
        {
            await FlushAsync().ConfigureAwait(true);
        }

        _store?.Dispose();
    }

    public Task<Message<ClaimSlotReply>> ClaimSlot(Message<ClaimSlotRequest> request) => Run(m => Message.Of(ProtocolCalls.ClaimSlot(m, request.Value)));

    public Task<Message<ApplyActionResultsReply>> ApplyActionResults(Message<ApplyActionResultsRequest> request) => Run(m => Message.Of(ProtocolCalls.ApplyActionResults(m, request.Value)));

    public Task<Message<OrderUpdateReply>> OnOrderUpdate(Message<OrderUpdateRequest> request) => Run(m => Message.Of(ProtocolCalls.OnOrderUpdate(m, request.Value)));

    public Task<Message<GetSlotsReply>> GetSlots() => Run(m => Message.Of(ProtocolCalls.GetSlots(m)));

    public Task<Message<PositionManagerSnapshot>> GetSnapshot() => Run(m => Message.Of(ProtocolCalls.GetSnapshot(m)));

    /// <summary>The manager's call, then the write of what it journaled; the answer only once that is in storage.</summary>
    private async Task<T> Run<T>(Func<SuperPositionManager, T> call)
    {
        if (_fenced || _manager is null)
        {
            throw new InconsistentStateException($"Grain {this.GetPrimaryKeyString()}: this activation's storage write was refused (a newer activation wrote), so it answers nothing and is deactivating; retry, and the call reaches the live one.");
        }

        T result;
        try
        {
            result = call(_manager);
        }
        catch (Exception)
        {
            await FlushAsync().ConfigureAwait(true); // a refused input changes nothing, but what the call lapsed first is kept
            throw;
        }

        // Counted past the stored snapshot's start: entries it holds are trimmed only by the next write.
        if (journal.State.Entries.Count(e => e.Sequence >= snapshot.State.JournalStartSequence) >= options.Value.CheckpointEvery)
        {
            _manager.Checkpoint();
        }

        await FlushAsync().ConfigureAwait(true);
        return result;
    }

    private async Task FlushAsync()
    {
        (PositionSnapshotState? checkpoint, List<PositionJournalEntry> appended) = _store!.Take();
        if (checkpoint is null && appended.Count == 0)
        {
            return;
        }

        try
        {
            // The journal is written first, on every call: it is the record whose ETag fences a stale activation. What
            // the stored snapshot already holds is trimmed from it then; a new snapshot is written after it, from state
            // the journal just made durable, so a snapshot never holds a change no journal write accepted.
            journal.State.Entries.AddRange(appended);
            journal.State.Entries.RemoveAll(e => e.Sequence < snapshot.State.JournalStartSequence);
            journal.State.TrimmedBelow = Math.Max(journal.State.TrimmedBelow, snapshot.State.JournalStartSequence);
            await journal.WriteStateAsync().ConfigureAwait(true);
            if (checkpoint is not null)
            {
                snapshot.State = checkpoint;
                await snapshot.WriteStateAsync().ConfigureAwait(true);
            }
        }
        catch (Exception)
        {
            _fenced = true; // fenced by the ETag, or the storage failed: either way nothing after the last write is acknowledged
            DeactivateOnIdle();
            throw;
        }
    }
}
