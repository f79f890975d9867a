namespace GridPositions.Hosting;

/// <summary>
/// Names one manager of a <see cref="PositionHost"/>: the account it trades for, its symbol and its direction. Its text
/// form, <c>account/SYMBOL/long</c>, is also its service key and names its store's folder.
/// </summary>
public readonly record struct ManagerKey
{
    /// <summary>A key; each part is letters, digits, <c>.</c>, <c>_</c> or <c>-</c>, so it can name a folder on any system.</summary>
    /// <exception cref="ArgumentException">A part is blank or holds another character (the message names it), or the direction is unknown.</exception>
    public ManagerKey(string account, string symbol, GridDirection direction)
    {
        CheckPart(account, nameof(account));
        CheckPart(symbol, nameof(symbol));
        if (direction is not (GridDirection.Long or GridDirection.Short))
        {
            throw new ArgumentException($"Direction must be Long or Short; got {direction}.", nameof(direction));
        }

        Account = account;
        Symbol = symbol;
        Direction = direction;
    }

    /// <summary>The account (or sub-account) the manager trades for.</summary>
    public string Account { get; }

    /// <summary>The instrument, as <see cref="PositionManagerOptions.Symbol"/>.</summary>
    public string Symbol { get; }

    /// <summary>The grid's direction, as <see cref="PositionManagerOptions.Direction"/>.</summary>
    public GridDirection Direction { get; }

    /// <summary>The key as <c>account/SYMBOL/long</c> (or <c>short</c>).</summary>
    public override string ToString() => $"{Account}/{Symbol}/{(Direction == GridDirection.Long ? "long" : "short")}";

    /// <summary>Throws unless this key was built by the constructor (a <c>default</c> key names nothing).</summary>
    internal void ThrowIfDefault(string paramName)
    {
        if (Account is null)
        {
            throw new ArgumentException("The key is default; build it with new ManagerKey(account, symbol, direction).", paramName);
        }
    }

    private static void CheckPart(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') || value.Trim('.').Length == 0)
            {
                throw new ArgumentException($"The {name} '{value}' may hold only letters, digits, '.', '_' and '-' (it names a folder).", name);
            }
        }
    }
}
