namespace GridPositions;

/// <summary>The answer to one <see cref="ClaimRequest"/>: the action to send, or why there is none.</summary>
/// <param name="Request">The request this answers.</param>
/// <param name="Rejection"><see cref="ClaimRejection.None"/> when accepted, otherwise the reason.</param>
/// <param name="Action">When accepted: the action to send, carrying its claim token and client order id.</param>
/// <param name="Detail">When rejected: a sentence saying what was wrong.</param>
public readonly record struct ClaimResult(ClaimRequest Request, ClaimRejection Rejection, OrderAction Action, string? Detail)
{
    /// <summary>Whether the slot was claimed and <see cref="Action"/> may be sent.</summary>
    public bool IsAccepted => Rejection == ClaimRejection.None;

    internal static ClaimResult Accepted(in ClaimRequest request, in OrderAction action) => new(request, ClaimRejection.None, action, null);

    internal static ClaimResult Rejected(in ClaimRequest request, ClaimRejection reason, string detail) => new(request, reason, default, detail);
}
