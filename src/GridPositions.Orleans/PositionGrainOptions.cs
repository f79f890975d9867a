namespace GridPositions.Orleans;

/// <summary>Which managers the silo's grains are, by key text (<c>account/SYMBOL/long</c>), and how often they checkpoint.</summary>
public sealed class PositionGrainOptions
{
    /// <summary>The grain-storage provider name the grains' state is kept under.</summary>
    public const string StorageName = "gridpositions";

    /// <summary>Each manager's options, by its key's text. A grain whose key is not here refuses to activate.</summary>
    public Dictionary<string, PositionManagerOptions> Managers { get; } = [];

    /// <summary>A checkpoint once the journal record holds this many entries, so each call's write stays small.</summary>
    public int CheckpointEvery { get; set; } = 256;

    /// <summary>Adds a manager.</summary>
    /// <param name="account">Its account.</param>
    /// <param name="options">Its options.</param>
    public PositionGrainOptions Add(string account, PositionManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = new Hosting.ManagerKey(account, options.Symbol, options.Direction);
        Managers.Add(key.ToString(), options);
        return this;
    }
}
