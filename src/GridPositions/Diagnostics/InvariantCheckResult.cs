namespace GridPositions;

/// <summary>The outcome of <see cref="SuperPositionManager.CheckInvariants"/>.</summary>
/// <param name="Violation">The first invariant found broken, in words, or null when all hold.</param>
public readonly record struct InvariantCheckResult(string? Violation)
{
    /// <summary>Whether every invariant holds.</summary>
    public bool Holds => Violation is null;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the violation, if there is one.</summary>
    public void ThrowIfViolated()
    {
        if (Violation is not null)
        {
            throw new InvalidOperationException("Invariant violated: " + Violation);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Violation ?? "all invariants hold";
}
