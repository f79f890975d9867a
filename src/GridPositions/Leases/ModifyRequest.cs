namespace GridPositions;

/// <summary>A request to change one position's stop-loss and take-profit.</summary>
/// <param name="SlotPrice">The slot whose position to modify.</param>
/// <param name="StopLoss">The new stop-loss (null: unchanged). Long: below the entry price; short: above it.</param>
/// <param name="TakeProfit">The new take-profit (null: unchanged). Long: above the entry price; short: below it.</param>
/// <param name="Reason">Why, recorded with the change (for example <c>trailing_stop</c>).</param>
public readonly record struct ModifyRequest(decimal SlotPrice, decimal? StopLoss, decimal? TakeProfit, string Reason);
