namespace GridPositions.Fills;

/// <summary>Per-asset amounts as a small array sorted by name, never edited in place (a copy is made for every change).</summary>
internal static class AssetAmounts
{
    /// <summary>A new array with <paramref name="amount"/> added to <paramref name="asset"/>'s entry; the sum is computed before anything is made.</summary>
    public static AssetAmount[] Add(AssetAmount[]? amounts, string asset, decimal amount)
    {
        amounts ??= [];
        int at = Array.FindIndex(amounts, a => a.Asset == asset);
        if (at >= 0)
        {
            decimal sum = amounts[at].Amount + amount;
            AssetAmount[] copy = (AssetAmount[])amounts.Clone();
            copy[at] = new AssetAmount(asset, sum);
            return copy;
        }

        var grown = new AssetAmount[amounts.Length + 1];
        amounts.CopyTo(grown, 0);
        grown[^1] = new AssetAmount(asset, amount);
        Array.Sort(grown, static (a, b) => string.CompareOrdinal(a.Asset, b.Asset));
        return grown;
    }

    /// <summary>Every entry of <paramref name="from"/> added into <paramref name="into"/>.</summary>
    public static AssetAmount[]? AddAll(AssetAmount[]? into, AssetAmount[]? from)
    {
        foreach (AssetAmount a in from ?? [])
        {
            into = Add(into, a.Asset, a.Amount);
        }

        return into;
    }
}

/// <summary>
/// A read-only view of per-asset amounts that compares by content, so records that carry one (<see cref="SlotView"/>,
/// <see cref="PositionTotals"/>) stay equal when their amounts are.
/// </summary>
internal sealed class AssetAmountList : IReadOnlyList<AssetAmount>, IEquatable<AssetAmountList>
{
    public static readonly AssetAmountList Empty = new([]);

    private readonly AssetAmount[] _items;

    private AssetAmountList(AssetAmount[] items) => _items = items;

    /// <summary>A view of <paramref name="items"/>, which the caller never edits again (slots replace theirs whole).</summary>
    public static AssetAmountList Of(AssetAmount[]? items) => items is null || items.Length == 0 ? Empty : new(items);

    public int Count => _items.Length;

    public AssetAmount this[int index] => _items[index];

    public IEnumerator<AssetAmount> GetEnumerator() => ((IEnumerable<AssetAmount>)_items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(AssetAmountList? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as AssetAmountList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (AssetAmount item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
