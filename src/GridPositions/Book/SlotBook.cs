using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Book;

/// <summary>
/// The slot table and what routes to it: the slots by tick key, the order-id and client-id indexes with the retired
/// ids of finished orders, the parked updates, and the sequences of claim tokens, client order ids, lease fencing
/// tokens and reconciliation epochs. It owns level 1 of the lock order; every verb named <c>_NeedsLock</c> asserts it.
/// </summary>
/// <remarks>
/// Lock-free reads are limited to what LOCK_ORDERING.md allows: the table (slots are never removed), a live order's
/// route, the parked count as of the last change, the epoch and fencing sequences and the index windows (atomic), and
/// the claim-token and client-id sequences as a journal record states them (each read atomically, not as one pair:
/// replay takes the largest of each, so a record never needs them from one instant).
/// </remarks>
internal sealed class SlotBook
{
    /// <summary>
    /// Level 1 (see LOCK_ORDERING.md). Guards every write to the table and the indexes, and all of the retired ids,
    /// the parked updates and the claim-token and client-id sequences. Taken only by <see cref="Enter"/>, before any
    /// slot lock and never while holding one.
    /// </summary>
    private readonly object _sync = new();

    /// <summary>The slot table: written under <see cref="_sync"/>, read without it (slots are never removed).</summary>
    private readonly ConcurrentDictionary<long, Slot> _slots = new();
    private readonly OrderIndex _index;
    private readonly ParkedUpdates _parked;
    private long _nextClaimToken = 1;
    private long _nextClientSequence = 1;

    /// <summary>Atomic, not locked: a modify takes a lease holding only its slot's lock.</summary>
    private long _nextFencingToken;

    /// <summary>Bumped by each reconciliation ticket; every slot change records the value it saw.</summary>
    private long _epoch;

    /// <summary>
    /// Index windows open: inputs whose phase 2 changed a slot's ids and whose phase 3 has not re-indexed them yet
    /// (only then may an index entry trail its slot). Opened under the slot's lock, closed after phase 3.
    /// </summary>
    private int _indexWindows;

    public SlotBook(PositionManagerOptions settings, string clientIdPrefix)
    {
        _index = new OrderIndex(settings.RetiredOrderCapacity);
        _parked = new ParkedUpdates(settings.ParkedUpdateCapacity, settings.ParkedUpdateTimeToLive);
        ClientIdPrefix = clientIdPrefix;
    }

    /// <summary>The configured prefix plus a tag unique to this manager's lineage, so generated ids never repeat across restarts.</summary>
    public string ClientIdPrefix { get; }

    /// <summary>A new lineage's prefix: the configured one, then the creation time in base 36 (restores keep the snapshot's).</summary>
    public static string LineagePrefix(string configured, DateTimeOffset now)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[16];
        int pos = buffer.Length;
        long value = Math.Abs(now.ToUnixTimeMilliseconds());
        do
        {
            buffer[--pos] = digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        return configured + new string(buffer[pos..]) + "-";
    }

    // ---- The lock -----------------------------------------------------------------------------------------------

    /// <summary>Takes level 1 for one critical section: <c>using (book.Enter()) { ... }</c>. Debug builds check the book's own invariants on entry.</summary>
    public BookLock Enter()
    {
        Monitor.Enter(_sync);
#if DEBUG
        try
        {
            AssertInvariants();
        }
        catch
        {
            Monitor.Exit(_sync); // a broken invariant fails the caller, not every caller after it
            throw;
        }
#endif
        return new BookLock(_sync);
    }

    /// <summary>
    /// What must hold whenever nobody is inside a section (checked on entry, in constant time): the parked buffer
    /// within its capacity, no index window closed more often than opened, the sequences past their start. The full
    /// cross-check of slots against indexes is <see cref="SuperPositionManager.CheckInvariants"/>.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_parked.Count <= _parked.Capacity, $"{_parked.Count} parked updates exceed the capacity {_parked.Capacity}");
        Debug.Assert(Volatile.Read(ref _indexWindows) >= 0, "an index window was closed more often than opened");
        Debug.Assert(_nextClaimToken >= 1 && _nextClientSequence >= 1 && Volatile.Read(ref _nextFencingToken) >= 0, "a sequence went below its start");
    }

    public bool IsLockHeld => Monitor.IsEntered(_sync);

    [Conditional("DEBUG")]
    public void AssertLocked() => Debug.Assert(Monitor.IsEntered(_sync), "the slot book's lock must be held");

#if FAULT_INJECTION
    /// <summary>The injected bugs that let go of level 1 in the middle of a section use these.</summary>
    public void ExitForFault() => Monitor.Exit(_sync);

    public void EnterForFault() => Monitor.Enter(_sync);
#endif

    /// <summary>Test seam: breaks the indexes on purpose, under the lock, so a test can see the invariant check name it.</summary>
    public void CorruptIndex(Action<OrderIndex> corruption)
    {
        using (Enter())
        {
            corruption(_index);
        }
    }

    // ---- Read without the lock ----------------------------------------------------------------------------------

    public bool TryGet(long key, [NotNullWhen(true)] out Slot? slot) => _slots.TryGetValue(key, out slot);

    public int Count => _slots.Count;

    /// <summary>The slots in the table now (a slot added meanwhile may or may not be in it).</summary>
    public ICollection<Slot> Slots => _slots.Values;

    /// <summary>The sum of every slot's count of <paramref name="counter"/> (lock-free: the dictionary's enumerator takes no lock).</summary>
    public long SumTallies(Counter counter)
    {
        long sum = 0;
        foreach (KeyValuePair<long, Slot> entry in _slots)
        {
            sum += entry.Value.ReadTally(counter);
        }

        return sum;
    }

    /// <summary>The slots in the table now, by ascending key.</summary>
    public Slot[] ByKey()
    {
        Slot[] slots = [.. _slots.Values];
        Array.Sort(slots, static (a, b) => a.Key.CompareTo(b.Key));
        return slots;
    }

    /// <summary>A live order's slot, found without the lock (it may trail the slot by one phase; phase 2 re-validates).</summary>
    public bool TryRouteLive(string? orderId, string? clientOrderId, [NotNullWhen(true)] out Slot? slot) =>
        _index.TryRouteLive(orderId, clientOrderId, out slot);

    /// <summary>The parked count as of the last change, readable without the lock (to skip reading the clock when nothing is parked).</summary>
    public int ParkedCountWithoutLock => _parked.CountWithoutLock;

    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Starts a reconciliation epoch: slots changed from now on are left alone by its reconciliation.</summary>
    public long BeginEpoch() => Interlocked.Increment(ref _epoch);

    public long NextFencingToken() => Interlocked.Increment(ref _nextFencingToken);

    /// <summary>The sequences as a journal record states them (read under a slot's lock, not this one: each is written atomically).</summary>
    public (long NextClaimToken, long NextClientSequence) SequencesNow => (Volatile.Read(ref _nextClaimToken), Volatile.Read(ref _nextClientSequence));

    public int IndexWindows => Volatile.Read(ref _indexWindows);

    public void OpenIndexWindow() => Interlocked.Increment(ref _indexWindows);

    public void CloseIndexWindow() => Interlocked.Decrement(ref _indexWindows);

    // ---- The table and the sequences ----------------------------------------------------------------------------

    /// <summary>Adds a slot built for a claim or lease that was accepted (adding one already there is a no-op).</summary>
    public void Add_NeedsLock(Slot slot)
    {
        AssertLocked();
        _slots.TryAdd(slot.Key, slot);
    }

    /// <summary>The token the next accepted claim takes (<see cref="TakeClaimToken_NeedsLock"/> takes it).</summary>
    public long PeekClaimToken_NeedsLock()
    {
        AssertLocked();
        return _nextClaimToken;
    }

    public long TakeClaimToken_NeedsLock()
    {
        AssertLocked();
        return Interlocked.Increment(ref _nextClaimToken) - 1; // atomic for the journal's lock-free read
    }

    /// <summary>A client order id no order of this book has ever had.</summary>
    public string NextClientOrderId_NeedsLock()
    {
        AssertLocked();
        string id;
        do
        {
            id = ClientIdPrefix + (Interlocked.Increment(ref _nextClientSequence) - 1).ToString(CultureInfo.InvariantCulture);
        }
        while (_index.IsClientIdKnown(id));
        return id;
    }

    // ---- The indexes --------------------------------------------------------------------------------------------

    /// <summary>Whether a live or retired order has this client id.</summary>
    public bool IsClientIdKnown_NeedsLock(string clientOrderId)
    {
        AssertLocked();
        return _index.IsClientIdKnown(clientOrderId);
    }

    public void IndexClientId_NeedsLock(string clientOrderId, Slot slot)
    {
        AssertLocked();
        _index.AddClientId(clientOrderId, slot);
    }

    /// <summary>Routes by order id, then client order id, through live and retired ids.</summary>
    public bool TryRoute_NeedsLock(string? orderId, string? clientOrderId, [NotNullWhen(true)] out Slot? slot)
    {
        AssertLocked();
        return _index.TryRoute(orderId, clientOrderId, out slot);
    }

    /// <summary>Phase 3: makes the entries of the touched ids match what the slot holds now (see <see cref="OrderIndex.Sync"/>).</summary>
    public void SyncIndex_NeedsLock(Slot slot, string? touchedClientId, string? touchedOrderId, string? currentClientId, string? currentOrderId)
    {
        AssertLocked();
        _index.Sync(slot, touchedClientId, touchedOrderId, currentClientId, currentOrderId);
    }

    public void Retire_NeedsLock(string id, bool isOrderId, Slot slot)
    {
        AssertLocked();
        _index.Retire(id, isOrderId, slot);
    }

    public IEnumerable<(string Id, bool IsOrderId, Slot Slot)> Retired_NeedsLock()
    {
        AssertLocked();
        return _index.Retired;
    }

    /// <summary>Whether a live order already has this id (restore refuses an id owned by two slots).</summary>
    public bool IsLiveId_NeedsLock(string id, bool isOrderId)
    {
        AssertLocked();
        return (isOrderId ? _index.ByOrderId : _index.ByClientId).ContainsKey(id);
    }

    /// <summary>The index half of the invariant check: the live entries and the live orders' ids are the same pairs.</summary>
    public string? CheckIndex_NeedsLock(Dictionary<string, Slot> clientOwners, Dictionary<string, Slot> orderOwners)
    {
        AssertLocked();
        return CheckIndex("client order id", _index.ByClientId, clientOwners) ?? CheckIndex("order id", _index.ByOrderId, orderOwners);
    }

    private static string? CheckIndex(string kind, ReadMostlyIndex index, Dictionary<string, Slot> owners)
    {
        foreach ((string id, Slot owner) in owners)
        {
            if (!index.TryGetValue(id, out Slot? indexed))
            {
                return $"{kind} {id} of slot {owner.Price} is not indexed";
            }

            if (!ReferenceEquals(indexed, owner))
            {
                return $"{kind} {id} of slot {owner.Price} is indexed to slot {indexed.Price}";
            }
        }

        foreach ((string id, Slot indexed) in index)
        {
            if (!owners.ContainsKey(id))
            {
                return $"{kind} {id} is indexed to slot {indexed.Price}, whose current order does not have it";
            }
        }

        return null;
    }

    // ---- Parked updates -----------------------------------------------------------------------------------------

    public int ParkedCount_NeedsLock()
    {
        AssertLocked();
        return _parked.Count;
    }

    public int ParkedCapacity => _parked.Capacity;

    public IEnumerable<ParkedEntry> Parked_NeedsLock()
    {
        AssertLocked();
        return _parked.Entries;
    }

    /// <summary>Parks an update no order matches yet; the oldest goes to <paramref name="expired"/> if the buffer is full.</summary>
    public void Park_NeedsLock(in OrderUpdate update, DateTimeOffset now, ref List<ParkedEntry>? expired)
    {
        AssertLocked();
        _parked.Park(update, now, ref expired);
    }

    public void RestoreParked_NeedsLock(ParkedEntry entry)
    {
        AssertLocked();
        _parked.Restore(entry);
    }

    public void TakeExpired_NeedsLock(DateTimeOffset now, ref List<ParkedEntry>? expired)
    {
        AssertLocked();
        _parked.TakeExpired(now, ref expired);
    }

    /// <summary>Takes the parked updates that name either id for <paramref name="op"/> to re-drive; returns how many.</summary>
    public int TakeParked_NeedsLock(string? clientOrderId, string? orderId, ref Operation op)
    {
        AssertLocked();
        return _parked.Count > 0 ? op.TakeParked(_parked, clientOrderId, orderId) : 0;
    }

    /// <summary>Takes every parked update that routes now for <paramref name="op"/> to re-drive; returns how many.</summary>
    public int TakeRoutableParked_NeedsLock(ref Operation op)
    {
        AssertLocked();
        return _parked.Count > 0 ? op.TakeParkedWhere(_parked, u => _index.TryRoute(u.OrderId, u.ClientOrderId, out _)) : 0;
    }

    // ---- Snapshots ----------------------------------------------------------------------------------------------

    public (long NextClaimToken, long NextClientSequence) Sequences_NeedsLock()
    {
        AssertLocked();
        return (_nextClaimToken, _nextClientSequence);
    }

    /// <summary>Sets the sequences a restored book goes on from (never below what its slots already used).</summary>
    public void RestoreSequences_NeedsLock(long nextClaimToken, long nextFencingToken, long nextClientSequence)
    {
        AssertLocked();
        _nextClaimToken = nextClaimToken;
        _nextFencingToken = nextFencingToken;
        _nextClientSequence = nextClientSequence;
    }
}

/// <summary>A held slot-book lock; <see cref="Dispose"/> releases it.</summary>
internal readonly ref struct BookLock(object sync)
{
    public void Dispose() => Monitor.Exit(sync);
}
