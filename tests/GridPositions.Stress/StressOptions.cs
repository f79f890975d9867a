namespace GridPositions.Stress;

/// <summary>What a stress run does and for how long.</summary>
public sealed class StressOptions
{
    /// <summary>Worker threads, each driving claims, results and updates.</summary>
    public int Threads { get; init; } = 10;

    /// <summary>How long the workers run before the final drain and checks.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Grid levels the workers share; fewer levels mean more contention per slot.</summary>
    public int Levels { get; init; } = 20;

    /// <summary>Long or short grid.</summary>
    public GridDirection Direction { get; init; } = GridDirection.Long;

    /// <summary>Seeds each worker's random choices (the interleaving itself is up to the threads).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The run fails, naming what each worker was doing and with every thread's stack, after this long without progress.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often <see cref="Progress"/> is called.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called on the run's own thread with a progress sample; never from a worker and never under a lock.</summary>
    public Action<StressProgress>? Progress { get; init; }

    /// <summary>A deliberate defect, so the tests can prove the checks catch one.</summary>
    internal StressSabotage Sabotage { get; init; }
}

/// <summary>Defects a test plants to prove the stress run's checks fail when they should.</summary>
internal enum StressSabotage
{
    /// <summary>An honest run.</summary>
    None,

    /// <summary>The feed drops an order's last update now and then: a lost fill and a stuck slot.</summary>
    LoseTerminalUpdates,

    /// <summary>Now and then a canceled order's last update reports one step more than the exchange filled.</summary>
    PhantomFill,

    /// <summary>After a second, one worker takes a gate and never lets go; the others queue behind it.</summary>
    StallWorkers,
}

/// <summary>A progress sample of a running stress run.</summary>
/// <param name="Elapsed">Time since the workers started.</param>
/// <param name="Operations">Manager calls made so far by all workers.</param>
/// <param name="OperationsPerSecond">Manager calls per second since the previous sample.</param>
/// <param name="SlowestThreadPerSecond">The slowest worker's manager calls per second since the start.</param>
/// <param name="Counters">The manager's counters.</param>
/// <param name="ManagedMemoryBytes">Managed heap size.</param>
public readonly record struct StressProgress(
    TimeSpan Elapsed,
    long Operations,
    double OperationsPerSecond,
    double SlowestThreadPerSecond,
    ManagerCounters Counters,
    long ManagedMemoryBytes);
