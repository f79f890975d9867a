namespace GridBot.Simulation;

/// <summary>
/// A small seeded generator (SplitMix64) whose whole state is one number, so the simulated exchange can save it with
/// the rest of its state and a resumed run draws on from where the killed one was (<see cref="Random"/> cannot be saved).
/// </summary>
internal sealed class SimRandom
{
    private ulong _state;

    public SimRandom(int seed) => _state = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) + 0x632BE59BD9B4E019UL;

    private SimRandom(ulong state) => _state = state;

    /// <summary>The generator's state, to save.</summary>
    public ulong State => _state;

    public static SimRandom FromState(ulong state) => new(state);

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
