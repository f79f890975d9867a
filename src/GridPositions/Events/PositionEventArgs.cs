namespace GridPositions;

/// <summary>Base of every event the manager publishes.</summary>
/// <remarks>
/// Events are published after the manager's locks are released, on a background task, one at a time, in the order
/// they happened per slot. <see cref="Sequence"/> numbers them in publication order.
/// </remarks>
public abstract class PositionEventArgs : EventArgs
{
    /// <summary>Publication order, starting at 1.</summary>
    public long Sequence { get; internal set; }
}

/// <summary>A slot's status, order or position changed.</summary>
/// <param name="slot">The slot as it was right after the change.</param>
public sealed class SlotChangedEventArgs(SlotView slot) : PositionEventArgs
{
    /// <summary>The slot as it was right after the change.</summary>
    public SlotView Slot { get; } = slot;
}

/// <summary>A fill was booked to a slot: the growth of an order's cumulative fill, counted once.</summary>
public sealed class FillAppliedEventArgs : PositionEventArgs
{
    /// <summary>The slot that owns the order.</summary>
    public required decimal SlotPrice { get; init; }

    /// <summary>The order's client id.</summary>
    public required string ClientOrderId { get; init; }

    /// <summary>The order's exchange id, if known.</summary>
    public string? OrderId { get; init; }

    /// <summary>The order side.</summary>
    public required OrderSide Side { get; init; }

    /// <summary>Whether the fill opened or closed inventory.</summary>
    public required OrderRole Role { get; init; }

    /// <summary>Quantity newly filled.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>Notional of the quantity newly filled.</summary>
    public required decimal Notional { get; init; }

    /// <summary>Fee of the quantity newly filled.</summary>
    public required decimal Fee { get; init; }

    /// <summary>Profit this fill realised (zero for an opening fill).</summary>
    public required decimal RealizedPnl { get; init; }

    /// <summary>The slot's inventory after the fill.</summary>
    public required decimal InventoryAfter { get; init; }
}

/// <summary>A slot went from flat to holding inventory and back to flat.</summary>
public sealed class RoundTripCompletedEventArgs : PositionEventArgs
{
    /// <summary>The slot that held the position.</summary>
    public required decimal SlotPrice { get; init; }

    /// <summary>The slot's round-trip count, this one included.</summary>
    public required long Number { get; init; }

    /// <summary>Quantity opened and closed.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>Total notional of the opening fills.</summary>
    public required decimal EntryNotional { get; init; }

    /// <summary>Total notional of the closing fills.</summary>
    public required decimal ExitNotional { get; init; }

    /// <summary>Opening and closing fees.</summary>
    public required decimal Fees { get; init; }

    /// <summary>Profit of the round trip, net of fees.</summary>
    public required decimal RealizedPnl { get; init; }
}

/// <summary>An order update or action result was rejected because it contradicts what the manager knows.</summary>
/// <param name="reason">What was wrong.</param>
/// <param name="update">The rejected update, if the input was an update (for reconciliation, the exchange's report as an update).</param>
/// <param name="result">The rejected action result, if the input was a result.</param>
public sealed class InputRejectedEventArgs(string reason, OrderUpdate? update, OrderActionResult? result) : PositionEventArgs
{
    /// <summary>What was wrong.</summary>
    public string Reason { get; } = reason;

    /// <summary>The rejected update, if the input was an update (for reconciliation, the exchange's report as an update).</summary>
    public OrderUpdate? Update { get; } = update;

    /// <summary>The rejected action result, if the input was a result.</summary>
    public OrderActionResult? Result { get; } = result;
}

/// <summary>A parked update never found its order and was dropped (its age passed the time to live, or the buffer was full).</summary>
/// <param name="update">The update that expired.</param>
/// <param name="parkedAt">When it was parked.</param>
public sealed class UpdateExpiredEventArgs(OrderUpdate update, DateTimeOffset parkedAt) : PositionEventArgs
{
    /// <summary>The update that expired.</summary>
    public OrderUpdate Update { get; } = update;

    /// <summary>When it was parked.</summary>
    public DateTimeOffset ParkedAt { get; } = parkedAt;
}

/// <summary>A position's stop-loss or take-profit changed.</summary>
/// <param name="slotPrice">The slot.</param>
/// <param name="change">The change, with its reason.</param>
public sealed class TargetsChangedEventArgs(decimal slotPrice, TargetChange change) : PositionEventArgs
{
    /// <summary>The slot.</summary>
    public decimal SlotPrice { get; } = slotPrice;

    /// <summary>The change, with its reason.</summary>
    public TargetChange Change { get; } = change;
}
