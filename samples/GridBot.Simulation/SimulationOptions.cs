using System.CommandLine;
using System.CommandLine.Parsing;

namespace GridBot.Simulation;

/// <summary>What to simulate. Every option has a command-line flag (parsed by System.CommandLine); the defaults finish in seconds.</summary>
public sealed record SimulationOptions
{
    /// <summary>Grid levels, centred on <see cref="StartPrice"/>.</summary>
    public int Levels { get; init; } = 20;

    /// <summary>Distance between levels; a multiple of the 0.01 tick.</summary>
    public decimal Spacing { get; init; } = 0.5m;

    /// <summary>The price the market starts at.</summary>
    public decimal StartPrice { get; init; } = 100m;

    /// <summary>Simulated market time (the clock is virtual: an hour takes seconds).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Seeds the market and the exchange; the same seed gives the same report, whatever the thread count.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Threads driving the bot; each owns a share of the levels and talks to the managers concurrently.</summary>
    public int Threads { get; init; } = 4;

    /// <summary>Long grid (buy low, sell one level up) or short (sell high, buy one level down).</summary>
    public GridPositions.GridDirection Direction { get; init; } = GridPositions.GridDirection.Long;

    /// <summary>How many symbols, each a manager under one <see cref="GridPositions.Hosting.PositionHost"/> with its own market and seed.</summary>
    public int Symbols { get; init; } = 1;

    /// <summary>Where the managers keep their stores (durable: every change is journaled before it returns); null for none.</summary>
    public string? StoreDirectory { get; init; }

    /// <summary>
    /// The exchange reports each fill as Binance does, the order's totals with the trade in one message, each in order per
    /// order, and fees per trade only (the managers set <see cref="GridPositions.PositionManagerOptions.FeesPerTrade"/>).
    /// </summary>
    public bool TradeReports { get; init; }

    /// <summary>Print what the meter measured at the end.</summary>
    public bool Metrics { get; init; }

    /// <summary>How often a --store run saves the exchange, in simulated time (what the exchange made since, the bot has not heard).</summary>
    public TimeSpan SaveEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Print progress every this much simulated time; zero for none.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromMinutes(30);

    private static readonly Option<int> s_levels = new("--levels") { Description = "grid levels, centred on --price (2..1000)", DefaultValueFactory = _ => 20 };
    private static readonly Option<decimal> s_spacing = new("--spacing") { Description = "distance between levels, a multiple of 0.01", DefaultValueFactory = _ => 0.5m };
    private static readonly Option<decimal> s_price = new("--price") { Description = "the price the market starts at", DefaultValueFactory = _ => 100m };
    private static readonly Option<double> s_minutes = new("--minutes") { Description = "simulated market minutes (virtual time)", DefaultValueFactory = _ => 240d };
    private static readonly Option<int> s_seed = new("--seed") { Description = "seeds the markets and the exchange", DefaultValueFactory = _ => 42 };
    private static readonly Option<int> s_threads = new("--threads") { Description = "threads driving the bot (1..64)", DefaultValueFactory = _ => 4 };
    private static readonly Option<bool> s_short = new("--short") { Description = "a short grid (sell high, buy one level down)" };
    private static readonly Option<int> s_symbols = new("--symbols") { Description = "symbols, each a manager under one PositionHost (1..16)", DefaultValueFactory = _ => 1 };
    private static readonly Option<string?> s_store = new("--store") { Description = "a folder for the stores and the exchange: every change durable; run again after a kill to resume" };
    private static readonly Option<bool> s_metrics = new("--metrics") { Description = "print what the meter measured at the end" };
    private static readonly Option<bool> s_quiet = new("--quiet") { Description = "no progress lines" };
    private static readonly Option<bool> s_tradeReports = new("--trade-reports") { Description = "each fill reported with its trade, fees per trade only (as Binance does)" };
    private static readonly Option<int> s_saveEvery = new("--save-every") { Description = "with --store: seconds of simulated time between saves of the exchange", DefaultValueFactory = _ => 1 };

    /// <summary>The command line: every option above, with help (<c>--help</c>).</summary>
    public static RootCommand CreateCommand() => new("A grid bot on GridPositions against a simulated exchange, with a verdict.")
    {
        s_levels, s_spacing, s_price, s_minutes, s_seed, s_threads, s_short, s_symbols, s_store, s_metrics, s_quiet, s_saveEvery, s_tradeReports,
    };

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static SimulationOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ParseResult result = CreateCommand().Parse([.. args]);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)), nameof(args));
        }

        return From(result);
    }

    /// <summary>The options a parse without errors gives, validated.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names its flag).</exception>
    public static SimulationOptions From(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        double minutes = result.GetValue(s_minutes);
        if (!double.IsFinite(minutes) || minutes <= 0 || minutes > TimeSpan.FromDays(7).TotalMinutes)
        {
            throw new ArgumentException($"--minutes must be positive and at most a week; got {minutes}.", nameof(result));
        }

        var options = new SimulationOptions
        {
            Levels = result.GetValue(s_levels),
            Spacing = result.GetValue(s_spacing),
            StartPrice = result.GetValue(s_price),
            Duration = TimeSpan.FromMinutes(minutes),
            Seed = result.GetValue(s_seed),
            Threads = result.GetValue(s_threads),
            Direction = result.GetValue(s_short) ? GridPositions.GridDirection.Short : GridPositions.GridDirection.Long,
            Symbols = result.GetValue(s_symbols),
            StoreDirectory = result.GetValue(s_store),
            Metrics = result.GetValue(s_metrics),
            TradeReports = result.GetValue(s_tradeReports),
            ProgressEvery = result.GetValue(s_quiet) ? TimeSpan.Zero : TimeSpan.FromMinutes(30),
            SaveEvery = TimeSpan.FromSeconds(result.GetValue(s_saveEvery)),
        };
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Levels is < 2 or > 1000)
        {
            throw new ArgumentException($"--levels must be 2..1000; got {Levels}.", nameof(Levels));
        }

        if (Spacing <= 0 || Spacing % Simulation.TickSize != 0)
        {
            throw new ArgumentException($"--spacing must be a positive multiple of {Simulation.TickSize}; got {Spacing}.", nameof(Spacing));
        }

        // One spacing below the lowest level is where a short grid's lowest position closes: it must be a price too.
        if (StartPrice % Simulation.TickSize != 0 || StartPrice - (((Levels / 2) + 1) * Spacing) <= 0)
        {
            throw new ArgumentException($"--price must be on the {Simulation.TickSize} tick and leave every level and its exit above zero; got {StartPrice}.", nameof(StartPrice));
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromDays(7))
        {
            throw new ArgumentException($"--minutes must be positive and at most a week; got {Duration.TotalMinutes}.", nameof(Duration));
        }

        if (Threads is < 1 or > 64)
        {
            throw new ArgumentException($"--threads must be 1..64; got {Threads}.", nameof(Threads));
        }

        if (SaveEvery < TimeSpan.FromSeconds(1) || SaveEvery > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"--save-every must be 1..600 seconds; got {SaveEvery.TotalSeconds}.", nameof(SaveEvery));
        }

        if (Symbols is < 1 or > 16)
        {
            throw new ArgumentException($"--symbols must be 1..16; got {Symbols}.", nameof(Symbols));
        }

        // A folder with a saved exchange resumes that run; one with only the stores of a run killed before its first save
        // (nothing traded yet) starts afresh; any other non-empty folder is not this simulation's.
        if (StoreDirectory is { } store && (string.IsNullOrWhiteSpace(store)
            || (Directory.Exists(store) && !File.Exists(Path.Combine(store, SimulationState.FileName))
                && Directory.EnumerateFileSystemEntries(store).Any(e => Path.GetFileName(e) is not ("sim" or SimulationState.FileName + ".tmp")))))
        {
            throw new ArgumentException($"--store must name a new or empty folder, or one a killed run left; got '{store}'.", nameof(StoreDirectory));
        }
    }
}
