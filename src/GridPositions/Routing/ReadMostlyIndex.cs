using System.Collections;
using System.Diagnostics.CodeAnalysis;
using GridPositions.Slots;

namespace GridPositions.Routing;

/// <summary>
/// A string-to-slot map written only under the slot book's lock and readable without it. Open addressing with linear
/// probing in an array of structs. Removal leaves a tombstone, which a later add on its probe path reuses, so order-id
/// churn rarely grows the tombstone count; once live entries plus tombstones reach half the array it is rebuilt without
/// tombstones into a spare array of the same size (swapped in), so probe chains stay short, rebuilds stay rare and the
/// steady state allocates nothing. Lock-free reads are validated by a version counter (a seqlock): a read that
/// overlapped a write reports "not found", and the caller asks again under the lock.
/// </summary>
internal sealed class ReadMostlyIndex : IEnumerable<KeyValuePair<string, Slot>>
{
    /// <summary>Marks a removed entry; compared by reference, so no real id can be mistaken for it.</summary>
    private static readonly string s_removed = new('\u0000', 1);

    private Entry[] _entries = new Entry[16];
    private Entry[]? _spare; // the previous array, reused for the next rebuild of the same size
    private int _used; // live entries and tombstones
    private int _version; // odd while a write is in progress

    /// <summary>How many times the array was rebuilt (tests: churn must not rebuild it constantly).</summary>
    internal int Rebuilds { get; private set; }

    public int Count { get; private set; }

    /// <summary>Without the lock: true only if the id was present at one instant; false may mean "ask under the lock".</summary>
    public bool TryGetWithoutLock(string key, [NotNullWhen(true)] out Slot? value)
    {
        int before = Volatile.Read(ref _version);
        bool found = Find(Volatile.Read(ref _entries), key, out value);
        // Stryker disable once all : the seqlock matters only to a reader racing a writer (the Coyote suite and StressTests race them; a mutant run does not)
        Volatile.ReadBarrier(); // every read of the entries completes before the version is read again (free on x64, unlike a full fence)
        // Stryker disable once all : as above: only a racing writer changes the version between the two reads
        if ((before & 1) != 0 || Volatile.Read(ref _version) != before)
        {
            value = null;
            return false;
        }

        return found;
    }

    /// <summary>Under the slot book's lock.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out Slot? value) => Find(_entries, key, out value);

    /// <summary>Under the slot book's lock.</summary>
    public bool ContainsKey(string key) => Find(_entries, key, out _);

    /// <summary>Under the slot book's lock: adds the entry unless the key is present.</summary>
    public bool TryAdd(string key, Slot value)
    {
        if (Find(_entries, key, out _))
        {
            return false;
        }

        // Stryker disable once all : the seqlock matters only to a reader racing a writer
        BeginWrite();
        if ((_used + 1) * 2 > _entries.Length)
        {
            Rebuild();
        }

        // The key is absent (checked above), so the first tombstone on its probe path is as good as the empty cell.
        int hash = Hash(key), mask = _entries.Length - 1, index = hash & mask;
        while (_entries[index].Key is { } occupant && !ReferenceEquals(occupant, s_removed))
        {
            index = (index + 1) & mask;
        }

        if (_entries[index].Key is null)
        {
            _used++;
        }

        _entries[index] = new Entry(key, value, hash);
        Count++;
        // Stryker disable once all : the seqlock matters only to a reader racing a writer
        EndWrite();
        return true;
    }

    /// <summary>Under the slot book's lock: removes the entry if the key maps to <paramref name="expected"/>.</summary>
    public bool TryRemove(string key, Slot expected)
    {
        int index = IndexOf(_entries, key);
        if (index < 0 || !ReferenceEquals(_entries[index].Value, expected))
        {
            return false;
        }

        // Stryker disable once all : the seqlock matters only to a reader racing a writer
        BeginWrite();
        _entries[index] = new Entry(s_removed, null, 0);
        Count--;
        // Stryker disable once all : the seqlock matters only to a reader racing a writer
        EndWrite();
        return true;
    }

    /// <summary>Under the slot book's lock.</summary>
    public IEnumerator<KeyValuePair<string, Slot>> GetEnumerator()
    {
        foreach (Entry entry in _entries)
        {
            if (entry.Key is { } key && !ReferenceEquals(key, s_removed))
            {
                yield return new KeyValuePair<string, Slot>(key, entry.Value!);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Find(Entry[] entries, string key, [NotNullWhen(true)] out Slot? value)
    {
        int index = IndexOf(entries, key);
        value = index >= 0 ? entries[index].Value : null;
        return value is not null;
    }

    /// <summary>The entry's position, or -1. Bounded by the array's length, so a torn lock-free read cannot loop forever.</summary>
    private static int IndexOf(Entry[] entries, string key)
    {
        int hash = Hash(key), mask = entries.Length - 1;
        // Stryker disable once Equality,Update : the array is at most half full, so a probe meets an empty cell first; the bound only stops a torn lock-free read
        for (int probe = 0, index = hash & mask; probe < entries.Length; probe++, index = (index + 1) & mask)
        {
            Entry entry = entries[index];
            if (entry.Key is null)
            {
                return -1;
            }

            // Stryker disable once Logical : a tombstone's key is a private "\0" string: only an id that is exactly "\0" could tell the operators apart
            if (entry.Hash == hash && !ReferenceEquals(entry.Key, s_removed) && string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                return index;
            }
        }

        // Stryker disable once all : unreachable for a consistent array (see the loop's bound)
        return -1;
    }

    /// <summary>
    /// Rehashes the live entries, dropping tombstones, into an array with room for them (live entries at most a quarter
    /// of it). It never shrinks, and the same size reuses the spare array, so only growth allocates. Readers holding an
    /// array being rewritten are caught by the version check.
    /// </summary>
    private void Rebuild()
    {
        int capacity = _entries.Length;
        while (Count * 4 >= capacity)
        {
            capacity *= 2;
        }

        Entry[] target = _spare is { } spare && spare.Length == capacity ? spare : new Entry[capacity];
        Array.Clear(target);
        foreach (Entry entry in _entries)
        {
            if (entry.Key is { } key && !ReferenceEquals(key, s_removed))
            {
                int index = entry.Hash & (capacity - 1);
                while (target[index].Key is not null)
                {
                    index = (index + 1) & (capacity - 1);
                }

                target[index] = entry;
            }
        }

        Rebuilds++;
        // Stryker disable once all : which array is kept for reuse changes allocations only: a spare of the wrong size is never used (checked above)
        _spare = _entries.Length == capacity ? _entries : null;
        _used = Count;
        Volatile.Write(ref _entries, target);
    }

    private void BeginWrite() => Interlocked.Increment(ref _version); // odd: readers that overlap will retry

    private void EndWrite() => Interlocked.Increment(ref _version);

    private static int Hash(string key) => key.GetHashCode(StringComparison.Ordinal);

    private readonly record struct Entry(string? Key, Slot? Value, int Hash);
}
