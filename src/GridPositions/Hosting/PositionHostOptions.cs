namespace GridPositions.Hosting;

/// <summary>The managers a <see cref="PositionHost"/> runs and where each keeps its state.</summary>
public sealed class PositionHostOptions
{
    private readonly Dictionary<ManagerKey, PositionManagerOptions> _managers = [];

    /// <summary>
    /// The root folder of the managers' stores: each gets a <see cref="FilePositionStore"/> in
    /// <c>root/account/SYMBOL-long</c>. Null (the default): no store, nothing survives the process, unless
    /// <see cref="StoreFactory"/> gives one.
    /// </summary>
    public string? StoreDirectory { get; set; }

    /// <summary>The durability of the stores made under <see cref="StoreDirectory"/>. Default <see cref="Durability.GroupCommit"/>.</summary>
    public Durability Durability { get; set; } = Durability.GroupCommit;

    /// <summary>Gives the store of each manager instead of <see cref="StoreDirectory"/> (a custom backend); null: the file stores. The host disposes the stores it is given when it ends.</summary>
    public Func<ManagerKey, IPositionStore>? StoreFactory { get; set; }

    /// <summary>The managers, by key (a copy of each one's options).</summary>
    public IReadOnlyDictionary<ManagerKey, PositionManagerOptions> Managers => _managers;

    /// <summary>Adds the manager for <paramref name="account"/> and the symbol and direction of <paramref name="options"/>.</summary>
    /// <returns>These options, to chain calls.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid, the account or symbol cannot name a key, or the key was added already.</exception>
    public PositionHostOptions Add(string account, PositionManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PositionManagerOptions copy = options.Copy();
        copy.Validate();
        ManagerKey key;
        try
        {
            key = new ManagerKey(account, copy.Symbol, copy.Direction);
        }
        catch (ArgumentException e) when (e.ParamName == "symbol")
        {
            throw new ArgumentException($"options.Symbol '{copy.Symbol}' names the manager's store folder, so it may hold only letters, digits, '.', '_' and '-'.", nameof(options), e);
        }

        if (!_managers.TryAdd(key, copy))
        {
            throw new ArgumentException($"The host already has a manager for {key}.", nameof(options));
        }

        return this;
    }

    /// <summary>Checks what a host needs: at least one manager, a known durability, and client order id prefixes none of which begins another (so an update's prefix names one manager).</summary>
    /// <exception cref="ArgumentException">The message names what is wrong.</exception>
    public void Validate()
    {
        if (_managers.Count == 0)
        {
            throw new ArgumentException("The host has no managers; add one with Add(account, options).", nameof(Managers));
        }

        if (Durability is not (Durability.None or Durability.GroupCommit or Durability.EveryRecord))
        {
            throw new ArgumentException($"Unknown durability {Durability}.", nameof(Durability));
        }

        if (StoreDirectory is { } root && string.IsNullOrWhiteSpace(root))
        {
            throw new ArgumentException("StoreDirectory must not be blank (null means no store).", nameof(StoreDirectory));
        }

        // Each key names its store's folder: two that differ only in case would share one on Windows and macOS.
        if (_managers.Keys.GroupBy(k => k.ToString(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new ArgumentException($"The keys {string.Join(" and ", clash)} differ only in case, so their stores would share a folder on some file systems.", nameof(Managers));
        }

        foreach ((ManagerKey key, PositionManagerOptions options) in _managers)
        {
            foreach ((ManagerKey other, PositionManagerOptions theirs) in _managers)
            {
                if (!key.Equals(other) && theirs.ClientOrderIdPrefix.StartsWith(options.ClientOrderIdPrefix, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The client order id prefix '{options.ClientOrderIdPrefix}' of {key} begins '{theirs.ClientOrderIdPrefix}' of {other}: updates routed by prefix would be ambiguous. Give each manager its own ClientOrderIdPrefix.", nameof(Managers));
                }
            }
        }
    }

    internal PositionHostOptions Copy()
    {
        var copy = new PositionHostOptions { StoreDirectory = StoreDirectory, Durability = Durability, StoreFactory = StoreFactory };
        foreach ((ManagerKey key, PositionManagerOptions options) in _managers)
        {
            copy._managers.Add(key, options.Copy());
        }

        return copy;
    }
}
