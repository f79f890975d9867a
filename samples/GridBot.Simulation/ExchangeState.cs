using GridPositions;

namespace GridBot.Simulation;

/// <summary>
/// What the simulated exchange (and the market driving it) must keep to resume after the bot's process is killed: saved
/// by <c>--store</c> runs every simulated second, to a file replaced atomically (it only has to outlive the process).
/// The exchange sends the bot nothing it has not saved, so a resumed exchange never forgets what the bot was told.
/// </summary>
internal sealed record SimulationState(
    int Levels, decimal Spacing, decimal StartPrice, TimeSpan Duration, int Seed, int Symbols, GridDirection Direction,
    long NowMs, long ClosedAtMs, long NextReconcileMs, bool Finished, List<MarketState> Markets)
{
    public const string FileName = "exchange.json";
}

internal sealed record MarketState(decimal Price, decimal Lowest, decimal Highest, ulong Random, Dictionary<FindingKind, int> Findings, int Reconciliations, int Unroutable, List<LaneState> Lanes);

internal sealed record LaneState(
    ulong Random, List<NetworkEntry> Network, List<ExchangeOrder> Orders, Dictionary<string, string> OrderIdByClientId,
    List<string> Open, Dictionary<string, long> ClosedAtMs, long Sequence, int NextOrder,
    decimal Bought, decimal Sold, decimal BuyQuote, decimal SellQuote, decimal Fees,
    int OrdersOpened, int Fills, int Rejects, int Timeouts, int DuplicatesSent, decimal BaseFees = 0m, decimal TokenFees = 0m,
    Dictionary<string, long>? LastDueByOrder = null);

/// <summary>One message on the wire: a request to the exchange, or a reply or update to the bot.</summary>
internal sealed record NetworkEntry(long DueMs, long Sequence, long CreatedMs, OrderAction? Request, OrderActionResult? Result, OrderUpdate? Update);
