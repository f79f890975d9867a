namespace GridPositions;

/// <summary>What <see cref="SuperPositionManager.ClaimCloseOrder"/> decided.</summary>
/// <param name="Action">The closing order to send, or null when the position turned out flat (the close is then complete).</param>
/// <param name="Mismatch">When the exchange's quantity differed from the slot's and the slot was set to it.</param>
public sealed record CloseOrder(OrderAction? Action, PositionMismatch? Mismatch);
