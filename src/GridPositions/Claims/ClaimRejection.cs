namespace GridPositions;

/// <summary>Why a claim was refused.</summary>
public enum ClaimRejection
{
    /// <summary>The claim was accepted.</summary>
    None = 0,

    /// <summary>The slot already has an order or a claim in flight.</summary>
    SlotBusy = 1,

    /// <summary>A closing order for more than the slot holds (or for a slot that holds nothing).</summary>
    WouldOversell = 2,

    /// <summary>An opening order for a slot that already holds a position: one position per slot.</summary>
    PositionAlreadyOpen = 3,

    /// <summary>A cancel for a slot with no live order to cancel.</summary>
    NothingToCancel = 4,

    /// <summary>The request itself is malformed (see <see cref="ClaimResult.Detail"/>).</summary>
    Invalid = 5,

    /// <summary>The slot's position is being closed under a lease (<see cref="SuperPositionManager.BeginClose"/>); only the lease holder acts on it.</summary>
    PositionLeased = 6,
}
