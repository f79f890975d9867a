using System.Text;

namespace GridPositions;

/// <summary>The answer to one <see cref="ClaimRequest"/>: the action to send, or why there is none.</summary>
/// <remarks>
/// A refused claim has no action: reading <see cref="Action"/> then throws with the reason, so a refusal can never be
/// sent by mistake. Check <see cref="IsAccepted"/> first, or use <see cref="TryGetAction"/>.
/// </remarks>
public readonly record struct ClaimResult
{
    private readonly OrderAction _action;

    internal ClaimResult(ClaimRequest request, ClaimRejection rejection, OrderAction action, string? detail, bool isRepeat = false)
    {
        Request = request;
        Rejection = rejection;
        _action = action;
        Detail = detail;
        IsRepeat = isRepeat;
    }

    /// <summary>The request this answers.</summary>
    public ClaimRequest Request { get; }

    /// <summary><see cref="ClaimRejection.None"/> when accepted, otherwise the reason.</summary>
    public ClaimRejection Rejection { get; }

    /// <summary>When rejected: a sentence saying what was wrong.</summary>
    public string? Detail { get; }

    /// <summary>Whether the slot was claimed and <see cref="Action"/> may be sent.</summary>
    public bool IsAccepted => Rejection == ClaimRejection.None;

    /// <summary>
    /// The claim was made before, by an earlier request with this client order id whose place result has not come yet
    /// (a caller retrying after a timeout): <see cref="Action"/> is that claim's, and nothing new was claimed.
    /// </summary>
    public bool IsRepeat { get; }

    /// <summary>The action to send, carrying its claim token and client order id.</summary>
    /// <exception cref="InvalidOperationException">The claim was refused: there is nothing to send (the message says why).</exception>
    public OrderAction Action => IsAccepted
        ? _action
        : throw new InvalidOperationException($"The {Request.Type} claim for slot {Request.SlotPrice} was refused ({Rejection}): {Detail}. There is no action to send; check IsAccepted or use TryGetAction.");

    /// <summary>The action to send, if the claim was accepted.</summary>
    /// <param name="action">The action when accepted; default otherwise.</param>
    /// <returns>Whether the claim was accepted.</returns>
    public bool TryGetAction(out OrderAction action)
    {
        action = _action; // default when refused: Rejected stores none
        return IsAccepted;
    }

    internal static ClaimResult Accepted(in ClaimRequest request, in OrderAction action) => new(request, ClaimRejection.None, action, null);

    internal static ClaimResult Repeated(in ClaimRequest request, in OrderAction action) => new(request, ClaimRejection.None, action, null, isRepeat: true);

    internal static ClaimResult Rejected(in ClaimRequest request, ClaimRejection reason, string detail) => new(request, reason, default, detail);

    /// <summary>Prints the action only when there is one (reading it on a refusal would throw).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Request = ").Append(Request).Append(", Rejection = ").Append(Rejection);
        if (IsAccepted)
        {
            builder.Append(", Action = ").Append(_action);
        }
        else
        {
            builder.Append(", Detail = ").Append(Detail);
        }

        return true;
    }
}
