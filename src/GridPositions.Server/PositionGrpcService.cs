using GridPositions.Hosting;
using GridPositions.Server.Protocol;
using Grpc.Core;

namespace GridPositions.Server;

/// <summary>
/// The position service over a <see cref="PositionHost"/>: each call names its manager, runs the library's own call
/// and returns its outcome. The library's errors become statuses (<see cref="Errors"/>); nothing is retried here.
/// </summary>
public sealed class PositionGrpcService(PositionHost host) : PositionService.PositionServiceBase
{
    /// <inheritdoc/>
    public override Task<ClaimSlotReply> ClaimSlot(ClaimSlotRequest request, ServerCallContext context) => Errors.Run(() =>
    {
        SuperPositionManager manager = Manager(request.Manager);
        ClaimRequest claim = ProtocolConvert.ToClaim(request);
        ClaimResult result = manager.ClaimSlot(claim);
        return ProtocolConvert.ToReply(result, repeated: result.IsRepeat);
    });

    /// <inheritdoc/>
    public override Task<ApplyActionResultsReply> ApplyActionResults(ApplyActionResultsRequest request, ServerCallContext context) => Errors.Run(() =>
    {
        SuperPositionManager manager = Manager(request.Manager);
        var results = new OrderActionResult[request.Results.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = ProtocolConvert.FromWire(request.Results[i], i);
        }

        var reply = new ApplyActionResultsReply();
        foreach (ResultOutcome outcome in manager.ApplyActionResults(results))
        {
            reply.Outcomes.Add(ProtocolConvert.ToWire(outcome));
        }

        return reply;
    });

    /// <inheritdoc/>
    public override Task<OrderUpdateReply> OnOrderUpdate(OrderUpdateRequest request, ServerCallContext context) => Errors.Run(() =>
        new OrderUpdateReply { Disposition = ProtocolConvert.ToWire(Manager(request.Manager).OnOrderUpdate(ProtocolConvert.FromWire(request, ""))) });

    /// <inheritdoc/>
    public override async Task<StreamOrderUpdatesReply> StreamOrderUpdates(IAsyncStreamReader<OrderUpdateRequest> requestStream, ServerCallContext context)
    {
        var reply = new StreamOrderUpdatesReply();
        await foreach (OrderUpdateRequest request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            // Each is applied (and durable) before the next is read: a stream is one connection's order of arrival.
            long index = reply.Received++;
            InputDisposition disposition = Errors.Call(() =>
            {
                try
                {
                    return Manager(request.Manager).OnOrderUpdate(ProtocolConvert.FromWire(request, $"updates[{index}]."));
                }
                catch (ArgumentException e)
                {
                    // The stream ends here; what came before it was applied (and is durable).
                    throw ProtocolConvert.Invalid($"updates[{index}]", $"was refused, and the stream ended: {e.Message} The {index} updates before it were applied.");
                }
            });
            _ = disposition switch
            {
                InputDisposition.Applied => reply.Applied++,
                InputDisposition.Duplicate => reply.Duplicate++,
                InputDisposition.Stale => reply.Stale++,
                InputDisposition.Parked => reply.Parked++,
                _ => reply.Rejected++,
            };
        }

        return reply;
    }

    /// <inheritdoc/>
    public override Task<GetSlotsReply> GetSlots(GetSlotsRequest request, ServerCallContext context) => Errors.Run(() =>
    {
        SuperPositionManager manager = Manager(request.Manager);
        var reply = new GetSlotsReply { Totals = ProtocolConvert.ToWire(manager.GetTotals()) };
        foreach (SlotView slot in manager.GetSlots())
        {
            reply.Slots.Add(ProtocolConvert.ToWire(slot));
        }

        return reply;
    });

    /// <inheritdoc/>
    public override Task<Wire.PositionManagerSnapshot> GetSnapshot(GetSnapshotRequest request, ServerCallContext context) =>
        Errors.Run(() => Manager(request.Manager).CreateSnapshot());

    /// <inheritdoc/>
    public override async Task WatchEvents(WatchEventsRequest request, IServerStreamWriter<PositionEvent> responseStream, ServerCallContext context)
    {
        SuperPositionManager manager = Errors.Call(() => Manager(request.Manager));
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

    private SuperPositionManager Manager(ManagerRef? reference)
    {
        ManagerKey key = ProtocolConvert.Key(reference);
        if (!host.IsOpen)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The host is not open (starting or stopping); retry."));
        }

        return host.TryGet(key, out SuperPositionManager? manager)
            ? manager
            : throw new RpcException(new Status(StatusCode.NotFound, $"The host has no manager for {key}."));
    }
}
