using Microsoft.Coyote.Specifications;

namespace GridPositions.CoyoteTests;

/// <summary>Assertions Coyote reports as bugs, with the schedule that led to them.</summary>
internal static class Check
{
    // Specification.Assert formats its message: pass it as an argument, since messages contain braces.
    public static void That(bool condition, string message) => Specification.Assert(condition, "{0}", message);

    public static void Equal<T>(T expected, T actual, string what) =>
        That(EqualityComparer<T>.Default.Equals(expected, actual), $"{what}: expected {expected}, got {actual}");

    /// <summary>The manager's invariants hold now (valid at any moment, even mid-traffic).</summary>
    public static void Invariants(SuperPositionManager manager)
    {
        InvariantCheckResult result = manager.CheckInvariants();
        That(result.Holds, $"invariant violated: {result.Violation}");
    }
}
