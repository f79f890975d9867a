using System.Globalization;
using System.Text;

namespace GridPositions.Stress;

/// <summary>What a stress run did and whether its books held.</summary>
/// <param name="Failures">Every check that failed; empty when the run passed.</param>
/// <param name="Ran">How long the workers ran.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="Operations">Manager calls made, the final drain included.</param>
/// <param name="SlowestThreadPerSecond">The slowest worker's manager calls per second.</param>
/// <param name="FastestThreadPerSecond">The fastest worker's manager calls per second.</param>
/// <param name="OrdersOpened">Orders the exchange opened.</param>
/// <param name="ExchangeFills">Fills the exchange made.</param>
/// <param name="Sabotaged">Messages a planted defect changed or withheld (zero in an honest run).</param>
/// <param name="Counters">The manager's counters at the end.</param>
/// <param name="Totals">The manager's totals at the end.</param>
public sealed record StressReport(
    IReadOnlyList<string> Failures,
    TimeSpan Ran,
    int Threads,
    long Operations,
    double SlowestThreadPerSecond,
    double FastestThreadPerSecond,
    long OrdersOpened,
    long ExchangeFills,
    long Sabotaged,
    ManagerCounters Counters,
    PositionTotals Totals)
{
    /// <summary>True when every check held.</summary>
    public bool Passed => Failures.Count == 0;

    /// <summary>A few lines for a console or a test log.</summary>
    public override string ToString()
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        ManagerCounters c = Counters;
        var text = new StringBuilder();
        text.AppendLine(inv, $"{Threads} threads for {Ran.TotalSeconds:F1} s: {Operations:N0} manager calls, {Operations / Ran.TotalSeconds:N0}/s; per thread {SlowestThreadPerSecond:N0}/s (slowest) to {FastestThreadPerSecond:N0}/s (fastest)");
        text.AppendLine(inv, $"exchange: {OrdersOpened:N0} orders opened, {ExchangeFills:N0} fills; manager: {c.FillsApplied:N0} fill deltas booked, {c.RoundTripsCompleted:N0} round trips, realised PnL {Totals.RealizedPnl}, holding {Totals.Inventory}");
        text.AppendLine(inv, $"claims {c.ClaimsAccepted:N0} accepted / {c.ClaimsRejected:N0} rejected; results {c.ResultsApplied:N0} applied / {c.ResultsDuplicate:N0} duplicate / {c.ResultsStale:N0} stale / {c.ResultsRejected:N0} rejected");
        text.AppendLine(inv, $"updates {c.UpdatesApplied:N0} applied / {c.UpdatesDuplicate:N0} duplicate / {c.UpdatesStale:N0} stale / {c.UpdatesRejected:N0} rejected / {c.UpdatesParked:N0} parked / {c.UpdatesRedriven:N0} re-driven / {c.UpdatesExpired:N0} expired; {c.Overfills} overfills");
        if (Sabotaged > 0)
        {
            text.AppendLine(inv, $"sabotaged messages: {Sabotaged}");
        }

        text.Append(Passed ? "verdict: PASS" : "verdict: FAIL\n  " + string.Join("\n  ", Failures));
        return text.ToString();
    }
}
