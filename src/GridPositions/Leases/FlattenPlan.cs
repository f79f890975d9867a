namespace GridPositions;

/// <summary>What <see cref="SuperPositionManager.CloseAll"/> started.</summary>
/// <param name="Closes">Each slot's close (started or already flat).</param>
/// <param name="Conflicts">Slots whose position another caller already holds.</param>
public sealed record FlattenPlan(IReadOnlyList<CloseStart> Closes, IReadOnlyList<PositionConflictException> Conflicts);
