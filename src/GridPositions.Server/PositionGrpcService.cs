using GridPositions.Hosting;
using GridPositions.Server.Protocol;
using Grpc.Core;

namespace GridPositions.Server;

/// <summary>
/// The position service: each call names its manager and runs the library's own call through the backend (the
/// in-process host, or the Orleans cluster). The library's errors become statuses (<see cref="Errors"/>); nothing is
/// retried here.
/// </summary>
public sealed class PositionGrpcService(IPositionBackend backend) : PositionService.PositionServiceBase
{
    /// <inheritdoc/>
    public override Task<ClaimSlotReply> ClaimSlot(ClaimSlotRequest request, ServerCallContext context) =>
        Errors.RunAsync(() => backend.ClaimSlotAsync(ProtocolConvert.Key(request.Manager), request));

    /// <inheritdoc/>
    public override Task<ApplyActionResultsReply> ApplyActionResults(ApplyActionResultsRequest request, ServerCallContext context) =>
        Errors.RunAsync(() => backend.ApplyActionResultsAsync(ProtocolConvert.Key(request.Manager), request));

    /// <inheritdoc/>
    public override Task<OrderUpdateReply> OnOrderUpdate(OrderUpdateRequest request, ServerCallContext context) =>
        Errors.RunAsync(() => backend.OnOrderUpdateAsync(ProtocolConvert.Key(request.Manager), request));

    /// <inheritdoc/>
    public override async Task<StreamOrderUpdatesReply> StreamOrderUpdates(IAsyncStreamReader<OrderUpdateRequest> requestStream, ServerCallContext context)
    {
        var reply = new StreamOrderUpdatesReply();
        await foreach (OrderUpdateRequest request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            // Each is applied (and durable) before the next is read: a stream is one connection's order of arrival.
            long index = reply.Received++;
            OrderUpdateReply applied = await Errors.RunAsync(async () =>
            {
                try
                {
                    return await backend.OnOrderUpdateAsync(ProtocolConvert.Key(request.Manager), request).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    // The stream ends here; what came before it was applied (and is durable).
                    throw ProtocolConvert.Invalid($"updates[{index}]", $"was refused, and the stream ended: {e.Message} The {index} updates before it were applied.");
                }
            }).ConfigureAwait(false);
            _ = applied.Disposition switch
            {
                Disposition.Applied => reply.Applied++,
                Disposition.Duplicate => reply.Duplicate++,
                Disposition.Stale => reply.Stale++,
                Disposition.Parked => reply.Parked++,
                _ => reply.Rejected++,
            };
        }

        return reply;
    }

    /// <inheritdoc/>
    public override Task<GetSlotsReply> GetSlots(GetSlotsRequest request, ServerCallContext context) =>
        Errors.RunAsync(() => backend.GetSlotsAsync(ProtocolConvert.Key(request.Manager)));

    /// <inheritdoc/>
    public override Task<Wire.PositionManagerSnapshot> GetSnapshot(GetSnapshotRequest request, ServerCallContext context) =>
        Errors.RunAsync(() => backend.GetSnapshotAsync(ProtocolConvert.Key(request.Manager)));

    /// <inheritdoc/>
    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<PositionEvent> responseStream, ServerCallContext context)
    {
        ManagerKey key = await Errors.RunAsync(() => Task.FromResult(ProtocolConvert.Key(request.Manager))).ConfigureAwait(false);
        SuperPositionManager manager = await Errors.RunAsync(() => Task.FromResult(backend.LocalManager(key))).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Unimplemented, "Events are streamed by a server over the in-process host; a cluster's grains do not stream them yet."));
        try
        {
            IAsyncEnumerator<PositionEventArgs> events = manager.ReadEventsAsync(cancellationToken: context.CancellationToken).GetAsyncEnumerator(context.CancellationToken);
            await using (events.ConfigureAwait(false))
            {
                // The first move subscribes before it waits; the headers then tell the caller every later event is its.
                ValueTask<bool> next = events.MoveNextAsync();
                await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
                while (await next.ConfigureAwait(false))
                {
                    if (ProtocolConvert.ToWire(events.Current) is { } wire)
                    {
                        await responseStream.WriteAsync(wire, context.CancellationToken).ConfigureAwait(false);
                    }

                    next = events.MoveNextAsync();
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller went away: the stream ends.
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, e.Message)); // the reader fell too far behind: never a silent gap
        }
    }
}
