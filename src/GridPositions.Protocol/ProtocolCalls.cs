using GridPositions.Wire;

namespace GridPositions.Server.Protocol;

/// <summary>
/// The service's calls on one manager, message in and message out: the one place the gRPC server (over the in-process
/// host) and the Orleans grains turn a request into the manager's call and its outcome into the reply.
/// </summary>
public static class ProtocolCalls
{
    /// <summary>Claims a slot; a retry before the place result gets the original claim, marked repeated.</summary>
    /// <param name="manager">The manager.</param>
    /// <param name="request">The claim.</param>
    public static ClaimSlotReply ClaimSlot(SuperPositionManager manager, ClaimSlotRequest request)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ClaimResult result = manager.ClaimSlot(ProtocolConvert.ToClaim(request));
        return ProtocolConvert.ToReply(result, result.IsRepeat);
    }

    /// <summary>Applies the executor's results as one batch.</summary>
    /// <param name="manager">The manager.</param>
    /// <param name="request">The results.</param>
    public static ApplyActionResultsReply ApplyActionResults(SuperPositionManager manager, ApplyActionResultsRequest request)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(request);
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
    }

    /// <summary>Applies one update or trade.</summary>
    /// <param name="manager">The manager.</param>
    /// <param name="request">The update.</param>
    public static OrderUpdateReply OnOrderUpdate(SuperPositionManager manager, OrderUpdateRequest request)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(request);
        return new OrderUpdateReply { Disposition = ProtocolConvert.ToWire(manager.OnOrderUpdate(ProtocolConvert.FromWire(request, ""))) };
    }

    /// <summary>The slots and totals.</summary>
    /// <param name="manager">The manager.</param>
    public static GetSlotsReply GetSlots(SuperPositionManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var reply = new GetSlotsReply { Totals = ProtocolConvert.ToWire(manager.GetTotals()) };
        foreach (SlotView slot in manager.GetSlots())
        {
            reply.Slots.Add(ProtocolConvert.ToWire(slot));
        }

        return reply;
    }

    /// <summary>The stored snapshot.</summary>
    /// <param name="manager">The manager.</param>
    public static PositionManagerSnapshot GetSnapshot(SuperPositionManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return manager.CreateSnapshot();
    }
}
