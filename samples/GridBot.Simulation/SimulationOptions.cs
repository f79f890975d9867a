using System.Globalization;

namespace GridBot.Simulation;

/// <summary>What to simulate. Every option has a command-line flag; the defaults finish in seconds.</summary>
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

    /// <summary>Threads driving the bot; each owns a share of the levels and talks to the manager concurrently.</summary>
    public int Threads { get; init; } = 4;

    /// <summary>Long grid (buy low, sell one level up) or short (sell high, buy one level down).</summary>
    public GridPositions.GridDirection Direction { get; init; } = GridPositions.GridDirection.Long;

    /// <summary>Print progress every this much simulated time; zero for none.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The usage line.</summary>
    public const string Usage = "options: --levels N  --spacing D  --price D  --minutes N  --seed N  --threads N  --short  --quiet";

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static SimulationOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SimulationOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.", nameof(args));
            try
            {
                options = Apply(options, flag, Value) ?? throw new ArgumentException($"Unknown option {flag}. {Usage}", nameof(args));
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException { ParamName: not "args" })
            {
                throw new ArgumentException($"{flag} needs a number in range; got '{args[i]}'.", nameof(args), e);
            }
        }

        options.Validate();
        return options;
    }

    /// <summary>The options with one flag applied, or null for an unknown flag.</summary>
    private static SimulationOptions? Apply(SimulationOptions options, string flag, Func<string> value) =>
        flag switch
        {
            "--levels" => options with { Levels = int.Parse(value(), CultureInfo.InvariantCulture) },
            "--spacing" => options with { Spacing = decimal.Parse(value(), CultureInfo.InvariantCulture) },
            "--price" => options with { StartPrice = decimal.Parse(value(), CultureInfo.InvariantCulture) },
            "--minutes" => options with { Duration = TimeSpan.FromMinutes(double.Parse(value(), CultureInfo.InvariantCulture)) },
            "--seed" => options with { Seed = int.Parse(value(), CultureInfo.InvariantCulture) },
            "--threads" => options with { Threads = int.Parse(value(), CultureInfo.InvariantCulture) },
            "--short" => options with { Direction = GridPositions.GridDirection.Short },
            "--quiet" => options with { ProgressEvery = TimeSpan.Zero },
            _ => null,
        };

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
    }
}
