namespace GridPositions;

/// <summary>One accepted change of a position's stop-loss and take-profit, and why it was made.</summary>
/// <param name="At">When it was committed.</param>
/// <param name="StopLoss">The stop-loss after the change (null: none).</param>
/// <param name="TakeProfit">The take-profit after the change (null: none).</param>
/// <param name="Reason">The caller's reason, for example <c>trailing_stop</c>.</param>
public sealed record TargetChange(DateTimeOffset At, decimal? StopLoss, decimal? TakeProfit, string Reason);
