namespace GridPositions;

/// <summary>One finding of a reconciliation.</summary>
/// <param name="Kind">What was found.</param>
/// <param name="SlotPrice">The slot concerned, if any.</param>
/// <param name="OrderId">The exchange order id concerned, if any.</param>
/// <param name="ClientOrderId">The client order id concerned, if any.</param>
/// <param name="Detail">A sentence saying what was found and done.</param>
public sealed record ReconciliationFinding(FindingKind Kind, decimal? SlotPrice, string? OrderId, string? ClientOrderId, string Detail);
