namespace GridPositions;

/// <summary>An order update or action result was rejected because it contradicts what the manager knows.</summary>
/// <param name="reason">What was wrong.</param>
/// <param name="update">The rejected update, if the input was an update (for reconciliation, the exchange's report as an update).</param>
/// <param name="result">The rejected action result, if the input was a result.</param>
public sealed class InputRejectedEventArgs(string reason, OrderUpdate? update, OrderActionResult? result) : PositionEventArgs
{
    /// <summary>What was wrong.</summary>
    public string Reason { get; } = reason;

    /// <summary>The rejected update, if the input was an update (for reconciliation, the exchange's report as an update).</summary>
    public OrderUpdate? Update { get; } = update;

    /// <summary>The rejected action result, if the input was a result.</summary>
    public OrderActionResult? Result { get; } = result;
}
