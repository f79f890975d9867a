using System.Diagnostics.Metrics;
using GridPositions.Telemetry;
using Microsoft.Extensions.Logging;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the manager's instruments belong to (tagged with <c>gridpositions.symbol</c>).</summary>
    public const string MeterName = "GridPositions";

    /// <summary>The logger category.</summary>
    internal const string LogCategory = "GridPositions.SuperPositionManager";

    /// <summary>Null without a logger factory: the few places that log outside events test this one field.</summary>
    private readonly ILogger? _log;

    /// <summary>Null without a meter factory, and once <see cref="RegisterMetrics"/> has run.</summary>
    private IMeterFactory? _meterFactory;

    /// <summary>
    /// Publishes the instruments. Called last by the constructor, <see cref="Restore"/> and <see cref="Open"/>, so a
    /// manager that failed to restore or open never leaves instruments behind in the caller's factory.
    /// </summary>
    private void RegisterMetrics()
    {
        if (_meterFactory is { } factory)
        {
            _meterFactory = null;
            Metrics.Register(factory, this, Settings.Symbol, Settings.Direction);
        }
    }

    /// <summary>
    /// Logs what the manager publishes by subscribing to its own events: they are delivered on the event task, after
    /// the locks are released, so no log call can run under a lock. Fills (debug) are subscribed only if enabled now.
    /// </summary>
    private void AttachLogging(ILogger log)
    {
        string symbol = Settings.Symbol;
        InputRejected += (_, e) => Log.InputRejected(log, symbol, e.Reason);
        UpdateExpired += (_, e) => Log.UpdateExpired(log, symbol, e.Update.OrderId, e.Update.ClientOrderId, e.ParkedAt);
        TargetsChanged += (_, e) => Log.TargetsChanged(log, symbol, e.SlotPrice, e.Change.StopLoss, e.Change.TakeProfit, e.Change.Reason);
        if (log.IsEnabled(LogLevel.Information))
        {
            RoundTripCompleted += (_, e) => Log.RoundTripCompleted(log, symbol, e.Number, e.SlotPrice, e.Quantity, e.RealizedPnl);
        }

        if (log.IsEnabled(LogLevel.Debug))
        {
            FillApplied += (_, e) => Log.FillApplied(log, symbol, e.Quantity, e.ClientOrderId, e.SlotPrice, e.InventoryAfter);
        }
    }

    /// <summary>After a result batch, with no lock held: orders that went live for slots that no longer want them.</summary>
    private void LogOrphans(ReadOnlySpan<ResultOutcome> outcomes)
    {
        foreach (ResultOutcome outcome in outcomes)
        {
            if (outcome.CancelToIssue is { } cancel)
            {
                Log.OrphanedOrder(_log!, Settings.Symbol, cancel.OrderId, cancel.SlotPrice);
            }
        }
    }

    /// <summary>After a reconciliation, with no lock held.</summary>
    private void LogReconciliation(ReconciliationReport report)
    {
        if (report.Findings.Count > 0)
        {
            string summary = string.Join(", ", report.Findings.GroupBy(f => f.Kind).Select(g => $"{g.Key} {g.Count()}"));
            Log.Reconciled(_log!, Settings.Symbol, report.Findings.Count, summary, report.CancelsToIssue.Count, report.OrdersToQuery.Count);
        }

        if (report.PositionDrift is { } drift && drift != 0)
        {
            Log.PositionDrift(_log!, Settings.Symbol, drift);
        }
    }
}
