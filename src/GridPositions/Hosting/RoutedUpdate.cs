namespace GridPositions.Hosting;

/// <summary>Why a <see cref="PositionHost"/> could not give an update to any manager.</summary>
public enum RouteRefusal
{
    /// <summary>The update was routed.</summary>
    None = 0,

    /// <summary>No manager has the key the update was sent with.</summary>
    UnknownKey = 1,

    /// <summary>The update has no client order id, so it cannot be routed by prefix (send it with its key).</summary>
    NoClientOrderId = 2,

    /// <summary>The update's client order id starts with no manager's prefix: not an order of this host.</summary>
    UnknownPrefix = 3,
}

/// <summary>What became of an update given to a <see cref="PositionHost"/>: the manager it went to and its disposition there, or why it went nowhere.</summary>
/// <param name="Key">The manager the update was routed to (default when refused).</param>
/// <param name="Disposition">What the manager did with it (meaningful only when routed).</param>
/// <param name="Refusal">Why it was not routed; <see cref="RouteRefusal.None"/> when it was.</param>
public readonly record struct RoutedUpdate(ManagerKey Key, InputDisposition Disposition, RouteRefusal Refusal)
{
    /// <summary>Whether a manager took the update.</summary>
    public bool IsRouted => Refusal == RouteRefusal.None;

    internal static RoutedUpdate Refused(RouteRefusal refusal) => new(default, default, refusal);
}

/// <summary>A copy of a host's routing counters.</summary>
/// <param name="Routed">Updates given to a manager.</param>
/// <param name="UnknownKey">Updates refused: sent with a key no manager has.</param>
/// <param name="NoClientOrderId">Updates refused: no key and no client order id.</param>
/// <param name="UnknownPrefix">Updates refused: a client order id with no manager's prefix.</param>
public sealed record HostCounters(long Routed, long UnknownKey, long NoClientOrderId, long UnknownPrefix);
