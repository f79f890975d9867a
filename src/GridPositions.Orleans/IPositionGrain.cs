using GridPositions.Server.Protocol;
using GridPositions.Wire;

namespace GridPositions.Orleans;

/// <summary>
/// One manager as a grain, keyed by its <see cref="Hosting.ManagerKey"/> text (<c>account/SYMBOL/long</c>). Each call is
/// the manager's own call and returns once its effect is in grain storage; the library's errors come back as its
/// exceptions (<see cref="ArgumentException"/> naming the field, and the rest).
/// </summary>
public interface IPositionGrain : IGrainWithStringKey
{
    /// <summary>Claims a slot (see <see cref="SuperPositionManager.ClaimSlot"/>); a retry with the same client order id gets the original claim.</summary>
    /// <param name="request">The claim (its manager field is ignored: the grain is the manager).</param>
    Task<Message<ClaimSlotReply>> ClaimSlot(Message<ClaimSlotRequest> request);

    /// <summary>The executor's results, in one durable batch.</summary>
    /// <param name="request">The results.</param>
    Task<Message<ApplyActionResultsReply>> ApplyActionResults(Message<ApplyActionResultsRequest> request);

    /// <summary>One order update or trade.</summary>
    /// <param name="request">The update.</param>
    Task<Message<OrderUpdateReply>> OnOrderUpdate(Message<OrderUpdateRequest> request);

    /// <summary>The slots and totals.</summary>
    Task<Message<GetSlotsReply>> GetSlots();

    /// <summary>The manager's snapshot, as stored.</summary>
    Task<Message<PositionManagerSnapshot>> GetSnapshot();
}
