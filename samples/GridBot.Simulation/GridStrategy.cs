using GridPositions;

namespace GridBot.Simulation;

/// <summary>
/// A plain grid: keep an opening order on the few levels nearest the price on the opening side, close each filled
/// level one level further on, and cancel opening orders the price has run away from. Everything it knows about a
/// level comes from the manager; every order it sends was claimed there first.
/// </summary>
internal sealed class GridStrategy(SuperPositionManager manager, decimal spacing, decimal orderQuantity)
{
    /// <summary>Opening orders rest on this many levels next to the price.</summary>
    public const int RestingLevels = 4;

    /// <summary>Claims accepted and refused, by this strategy instance (one per thread).</summary>
    public int ClaimsAccepted { get; private set; }

    public int ClaimsRefused { get; private set; }

    /// <summary>Decides what the slot at <paramref name="level"/> needs, claims it, and returns the action to send, if any.</summary>
    public OrderAction? Act(decimal level, decimal price)
    {
        SlotView? slot = manager.GetSlot(level);
        if (Decide(slot, level, price) is not { } request)
        {
            return null;
        }

        ClaimResult claim = manager.ClaimSlot(request);
        if (!claim.IsAccepted)
        {
            ClaimsRefused++; // another claim got there first, or the slot changed since we looked: the next step decides again
            return null;
        }

        ClaimsAccepted++;
        return claim.Action;
    }

    private ClaimRequest? Decide(SlotView? slot, decimal level, decimal price)
    {
        bool longGrid = manager.OpeningSide == OrderSide.Buy;
        // How many levels the price must travel to reach this one, on the side where it opens positions.
        decimal distance = (longGrid ? price - level : level - price) / spacing;
        if (slot is null || slot.Status == SlotStatus.Free)
        {
            if (slot is { Inventory: > 0 })
            {
                decimal exit = longGrid ? level + spacing : level - spacing;
                return ClaimRequest.Close(level, exit); // all the slot holds when the claim is checked, base-asset fees taken
            }

            return distance > 0 && distance <= RestingLevels ? ClaimRequest.Place(level, manager.OpeningSide, level, orderQuantity) : null;
        }

        bool restingOpener = slot.Status == SlotStatus.Live && slot.Order is { Role: OrderRole.Open, CancelPending: false };
        return restingOpener && distance > RestingLevels + 2 ? ClaimRequest.Cancel(level) : null;
    }
}
