using System.Globalization;
using System.Text;
using GridPositions;

namespace GridBot.Simulation;

/// <summary>What a simulation did, what the manager booked, what the exchange's account says, and the verdict.</summary>
public sealed record SimulationReport
{
    public required SimulationOptions Options { get; init; }

    /// <summary>The symbol this report is for (one per manager of the host).</summary>
    public required string Symbol { get; init; }

    /// <summary>The seed of this symbol's market and exchange.</summary>
    public required int Seed { get; init; }

    /// <summary>The market time a killed --store run was resumed at; null for a run from the start.</summary>
    public TimeSpan? ResumedAt { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required TimeSpan MarketTime { get; init; }
    public required decimal StartPrice { get; init; }
    public required decimal EndPrice { get; init; }
    public required decimal LowestPrice { get; init; }
    public required decimal HighestPrice { get; init; }
    public required int ClaimsAccepted { get; init; }
    public required int ClaimsRefused { get; init; }
    public required int OrdersOpened { get; init; }
    public required int ExchangeFills { get; init; }
    public required int Rejects { get; init; }
    public required int Timeouts { get; init; }
    public required int DuplicatesSent { get; init; }
    public required ManagerCounters Counters { get; init; }
    public required PositionTotals Totals { get; init; }

    /// <summary>The exchange's cash flow for the bot's orders: sold minus bought minus fees.</summary>
    public required decimal ExchangeCash { get; init; }

    /// <summary>What the inventory still held cost (entry notional, signed, plus its opening fees).</summary>
    public required decimal HeldCost { get; init; }

    /// <summary>The account's base balance from the bot's orders: bought minus sold minus the base-asset fees.</summary>
    public required decimal ExchangePosition { get; init; }
    public required int Reconciliations { get; init; }
    public required IReadOnlyDictionary<FindingKind, int> Findings { get; init; }

    /// <summary>Every check that failed; empty when the books match the exchange.</summary>
    public required IReadOnlyList<string> Failures { get; init; }

    public bool Passed => Failures.Count == 0;

    /// <summary>The report without the wall time, which is the one line that differs between runs of the same seed.</summary>
    public string Describe(bool includeWallTime = true)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        ManagerCounters c = Counters;
        int sign = Options.Direction == GridDirection.Long ? 1 : -1;
        var text = new StringBuilder();
        string symbol = Options.Symbols > 1 ? $" {Symbol} (of {Options.Symbols} symbols)," : string.Empty;
        string store = Options.StoreDirectory is null ? string.Empty : ResumedAt is { } at ? $", on a store, resumed at {Clock(at)}" : ", on a store";
        text.AppendLine(inv, $"GridBot.Simulation:{symbol} {Options.Levels} levels {Options.Spacing} apart, {Options.Direction} grid, seed {Seed}, {Options.Threads} threads{store}");
        text.AppendLine(inv, $"  market      {Clock(MarketTime)} simulated{(includeWallTime ? $" in {WallTime.TotalSeconds:F1} s" : "")}; price {StartPrice} -> {EndPrice} (low {LowestPrice}, high {HighestPrice})");
        text.AppendLine(inv, $"  orders      {ClaimsAccepted:N0} claimed and sent ({ClaimsRefused:N0} claims refused); exchange opened {OrdersOpened:N0}, rejected {Rejects:N0}, timed out {Timeouts:N0}");
        text.AppendLine(inv, $"  fills       exchange {ExchangeFills:N0}; manager booked {c.FillsApplied:N0} (an update that reports two fills at once books them as one); round trips {c.RoundTripsCompleted:N0}");
        text.AppendLine(inv, $"  updates     applied {c.UpdatesApplied:N0}, duplicate {c.UpdatesDuplicate:N0} ({DuplicatesSent:N0} sent twice), stale {c.UpdatesStale:N0}, rejected {c.UpdatesRejected:N0}, parked {c.UpdatesParked:N0} (re-driven {c.UpdatesRedriven:N0}, expired {c.UpdatesExpired:N0})");
        text.AppendLine(inv, $"  results     applied {c.ResultsApplied:N0}, duplicate {c.ResultsDuplicate:N0}, stale {c.ResultsStale:N0}, rejected {c.ResultsRejected:N0}");
        string findings = Findings.Count == 0 ? "nothing to fix" : string.Join(", ", Findings.Select(f => $"{f.Key} {f.Value}"));
        text.AppendLine(inv, $"  reconcile   {Reconciliations} runs: {findings}");
        text.AppendLine(inv, $"  position    manager holds {Totals.Inventory} (after {Totals.BaseFees} paid in base-asset fees); exchange balance {ExchangePosition} ({(Totals.Inventory == sign * ExchangePosition ? "match, to the last decimal" : "MISMATCH")})");
        text.AppendLine(inv, $"  realised    manager {Totals.RealizedPnl:F6}; exchange cash {ExchangeCash:F6} + cost of what is held {HeldCost:F6} = {ExchangeCash + HeldCost:F6}");
        decimal token = Totals.OtherFees.Where(f => f.Asset == ExchangeLane.FeeToken).Sum(f => f.Amount);
        text.AppendLine(inv, $"  fees        quote ones in the profit; {Totals.BaseFees} in the base asset (paid in quantity); {token} {ExchangeLane.FeeToken} (about {token * ExchangeLane.FeeTokenPrice:F6} in the quote asset), not in the profit");
        text.Append(Passed ? "  verdict     PASS: invariants hold, every slot matches the exchange, nothing stuck" : "  verdict     FAIL\n    " + string.Join("\n    ", Failures));
        return text.ToString();
    }

    public override string ToString() => Describe();

    /// <summary>Hours:minutes:seconds, the hours not wrapping at a day (a run may last a week).</summary>
    internal static string Clock(TimeSpan time) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}");
}
