using GridPositions.Hosting;
using GridPositions.Orleans;
using GridPositions.Server.Protocol;
using GridPositions.Wire;
using Grpc.Core;

namespace GridPositions.Server;

/// <summary>Where the service's calls go: the managers of an in-process host, or the position grains of an Orleans cluster.</summary>
public interface IPositionBackend
{
    /// <summary>See <see cref="ProtocolCalls.ClaimSlot"/>.</summary>
    /// <param name="key">The manager.</param>
    /// <param name="request">The claim.</param>
    Task<ClaimSlotReply> ClaimSlotAsync(ManagerKey key, ClaimSlotRequest request);

    /// <summary>See <see cref="ProtocolCalls.ApplyActionResults"/>.</summary>
    /// <param name="key">The manager.</param>
    /// <param name="request">The results.</param>
    Task<ApplyActionResultsReply> ApplyActionResultsAsync(ManagerKey key, ApplyActionResultsRequest request);

    /// <summary>See <see cref="ProtocolCalls.OnOrderUpdate"/>.</summary>
    /// <param name="key">The manager.</param>
    /// <param name="request">The update.</param>
    Task<OrderUpdateReply> OnOrderUpdateAsync(ManagerKey key, OrderUpdateRequest request);

    /// <summary>See <see cref="ProtocolCalls.GetSlots"/>.</summary>
    /// <param name="key">The manager.</param>
    Task<GetSlotsReply> GetSlotsAsync(ManagerKey key);

    /// <summary>See <see cref="ProtocolCalls.GetSnapshot"/>.</summary>
    /// <param name="key">The manager.</param>
    Task<PositionManagerSnapshot> GetSnapshotAsync(ManagerKey key);

    /// <summary>The manager's event stream, where this backend has one in process.</summary>
    /// <param name="key">The manager.</param>
    SuperPositionManager? LocalManager(ManagerKey key);
}

/// <summary>The managers of the in-process <see cref="PositionHost"/>.</summary>
internal sealed class HostBackend(PositionHost host) : IPositionBackend
{
    public Task<ClaimSlotReply> ClaimSlotAsync(ManagerKey key, ClaimSlotRequest request) => Task.FromResult(ProtocolCalls.ClaimSlot(Manager(key), request));

    public Task<ApplyActionResultsReply> ApplyActionResultsAsync(ManagerKey key, ApplyActionResultsRequest request) => Task.FromResult(ProtocolCalls.ApplyActionResults(Manager(key), request));

    public Task<OrderUpdateReply> OnOrderUpdateAsync(ManagerKey key, OrderUpdateRequest request) => Task.FromResult(ProtocolCalls.OnOrderUpdate(Manager(key), request));

    public Task<GetSlotsReply> GetSlotsAsync(ManagerKey key) => Task.FromResult(ProtocolCalls.GetSlots(Manager(key)));

    public Task<PositionManagerSnapshot> GetSnapshotAsync(ManagerKey key) => Task.FromResult(ProtocolCalls.GetSnapshot(Manager(key)));

    public SuperPositionManager? LocalManager(ManagerKey key) => Manager(key);

    private SuperPositionManager Manager(ManagerKey key)
    {
        if (!host.IsOpen)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The host is not open (starting or stopping); retry."));
        }

        return host.TryGet(key, out SuperPositionManager? manager)
            ? manager
            : throw new RpcException(new Status(StatusCode.NotFound, $"The host has no manager for {key}."));
    }
}

/// <summary>The position grains of the Orleans cluster this server's silo belongs to.</summary>
internal sealed class ClusterBackend(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<PositionGrainOptions> configured) : IPositionBackend
{
    public async Task<ClaimSlotReply> ClaimSlotAsync(ManagerKey key, ClaimSlotRequest request) => (await Grain(key).ClaimSlot(Message.Of(request)).ConfigureAwait(false)).Value;

    public async Task<ApplyActionResultsReply> ApplyActionResultsAsync(ManagerKey key, ApplyActionResultsRequest request) => (await Grain(key).ApplyActionResults(Message.Of(request)).ConfigureAwait(false)).Value;

    public async Task<OrderUpdateReply> OnOrderUpdateAsync(ManagerKey key, OrderUpdateRequest request) => (await Grain(key).OnOrderUpdate(Message.Of(request)).ConfigureAwait(false)).Value;

    public async Task<GetSlotsReply> GetSlotsAsync(ManagerKey key) => (await Grain(key).GetSlots().ConfigureAwait(false)).Value;

    public async Task<PositionManagerSnapshot> GetSnapshotAsync(ManagerKey key) => (await Grain(key).GetSnapshot().ConfigureAwait(false)).Value;

    public SuperPositionManager? LocalManager(ManagerKey key) => null; // a grain's events stay in its silo (not streamed yet)

    private IPositionGrain Grain(ManagerKey key) =>
        configured.Value.Managers.ContainsKey(key.ToString())
            ? grains.GetGrain<IPositionGrain>(key.ToString())
            : throw new RpcException(new Status(StatusCode.NotFound, $"The cluster has no manager for {key}."));
}
