using GridPositions.Events;
using Microsoft.Extensions.Logging;

namespace GridPositions.Telemetry;

/// <summary>What a manager logs, always with no lock held: its own events (delivered on the event task), and a few call results.</summary>
internal static class ManagerLog
{
    /// <summary>
    /// Logs what the manager publishes by subscribing to its own events: they are delivered after the locks are
    /// released, so no log call can run under a lock. Fills (debug) are subscribed only if enabled now.
    /// </summary>
    public static void Attach(EventSink events, ILogger log, string symbol)
    {
        events.InputRejected += (_, e) => Log.InputRejected(log, symbol, e.Reason);
        events.UpdateExpired += (_, e) => Log.UpdateExpired(log, symbol, e.Update.OrderId, e.Update.ClientOrderId, e.ParkedAt);
        events.LeaseExpired += (_, e) => Log.LeaseExpired(log, symbol, e.Kind, e.FencingToken, e.SlotPrice, e.ExpiredAt);
        events.TargetsChanged += (_, e) => Log.TargetsChanged(log, symbol, e.SlotPrice, e.Change.StopLoss, e.Change.TakeProfit, e.Change.Reason);
        if (log.IsEnabled(LogLevel.Information))
        {
            events.RoundTripCompleted += (_, e) => Log.RoundTripCompleted(log, symbol, e.Number, e.SlotPrice, e.Quantity, e.RealizedPnl);
        }

        if (log.IsEnabled(LogLevel.Debug))
        {
            events.FillApplied += (_, e) => Log.FillApplied(log, symbol, e.Quantity, e.ClientOrderId, e.SlotPrice, e.InventoryAfter);
        }
    }

    /// <summary>After a result batch: orders that went live for slots that no longer want them.</summary>
    public static void Orphans(ILogger log, string symbol, ReadOnlySpan<ResultOutcome> outcomes)
    {
        foreach (ResultOutcome outcome in outcomes)
        {
            if (outcome.CancelToIssue is { } cancel)
            {
                Log.OrphanedOrder(log, symbol, cancel.OrderId, cancel.SlotPrice);
            }
        }
    }

    public static void Reconciled(ILogger log, string symbol, ReconciliationReport report)
    {
        if (report.Findings.Count > 0)
        {
            string summary = string.Join(", ", report.Findings.GroupBy(f => f.Kind).Select(g => $"{g.Key} {g.Count()}"));
            Log.Reconciled(log, symbol, report.Findings.Count, summary, report.CancelsToIssue.Count, report.OrdersToQuery.Count);
        }

        if (report.PositionDrift is { } drift && drift != 0)
        {
            Log.PositionDrift(log, symbol, drift);
        }
    }

    public static void Opened(ILogger log, string symbol, IPositionStore store, int slots, decimal inventory, int parked, TornTail? torn, int lapsed)
    {
        Log.Opened(log, symbol, store.Durability, slots, inventory, parked);
        if (torn is not null)
        {
            Log.TornTailCut(log, symbol, torn.File, torn.Offset, torn.BytesCut);
        }

        if (lapsed > 0)
        {
            Log.ClaimsLapsedAtRecovery(log, symbol, lapsed);
        }
    }
}
