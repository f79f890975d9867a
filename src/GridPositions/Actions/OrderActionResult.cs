namespace GridPositions;

/// <summary>What the executor learned from sending an <see cref="OrderAction"/>.</summary>
/// <param name="Action">The action as the manager returned it (its claim token is how the result finds its claim).</param>
/// <param name="Outcome">Succeeded, failed, or ambiguous (for example a timeout).</param>
/// <param name="OrderId">For a successful place: the exchange's id of the new order.</param>
/// <param name="Error">For a failure or an ambiguous outcome: what the executor saw.</param>
public readonly record struct OrderActionResult(OrderAction Action, ActionOutcome Outcome, string? OrderId = null, string? Error = null)
{
    /// <summary>The exchange accepted a place and assigned <paramref name="orderId"/>.</summary>
    public static OrderActionResult Placed(in OrderAction action, string orderId) => new(action, ActionOutcome.Succeeded, orderId);

    /// <summary>The exchange accepted a cancel.</summary>
    public static OrderActionResult Canceled(in OrderAction action) => new(action, ActionOutcome.Succeeded, action.OrderId);

    /// <summary>The exchange definitely refused the action.</summary>
    public static OrderActionResult Failed(in OrderAction action, string error) => new(action, ActionOutcome.Failed, null, error);

    /// <summary>The outcome is unknown (timeout, connection lost): the action may have happened.</summary>
    public static OrderActionResult Ambiguous(in OrderAction action, string error) => new(action, ActionOutcome.Ambiguous, null, error);
}
