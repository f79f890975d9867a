using System.Diagnostics.Metrics;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;
using GridPositions.Snapshots;
using GridPositions.Wire;
using Microsoft.Extensions.Logging;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>The snapshot format this version writes and reads.</summary>
    public const uint SnapshotFormatVersion = 1;

    /// <summary>
    /// A deep copy of the manager: every slot (each copied atomically under its lock), the parked updates, the
    /// counters and the id sequences. Nothing in it is shared with the manager. The indexes are left out; restore
    /// rebuilds them from the slots.
    /// </summary>
    public PositionManagerSnapshot CreateSnapshot()
    {
        var snapshot = new PositionManagerSnapshot
        {
            FormatVersion = SnapshotFormatVersion,
            Symbol = Settings.Symbol,
            TickSize = Settings.TickSize.ToWire(),
            QuantityStep = Settings.QuantityStep.ToWire(),
            Direction = Settings.Direction,
            TakenAt = _time.GetUtcNow().ToWire(),
            ClientOrderIdPrefix = _book.ClientIdPrefix,
            Counters = new CounterValues(),
        };

        using (_book.Enter())
        {
            (snapshot.NextClaimToken, snapshot.NextClientOrderSequence) = _book.Sequences_NeedsLock();
            foreach (Slot slot in _book.Slots.OrderBy(s => s.Key))
            {
                using (slot.Enter())
                {
                    snapshot.Slots.Add(SlotWire.ToWire(slot.ReadState_NeedsLock()));
                }
            }

            foreach ((string id, bool isOrderId, Slot owner) in _book.Retired_NeedsLock())
            {
                snapshot.RetiredIds.Add(new RetiredId { Id = id, IsOrderId = isOrderId, SlotPrice = owner.Price.ToWire() });
            }

            foreach (ParkedEntry entry in _book.Parked_NeedsLock())
            {
                snapshot.ParkedUpdates.Add(new ParkedUpdate { Update = entry.Update.ToWire(), ParkedAt = entry.ParkedAt.ToWire() });
            }

            foreach (Counter counter in CounterSet.All)
            {
                snapshot.Counters.Values[counter.ToString()] = _counters.Read(counter);
            }
        }

        return snapshot;
    }

    /// <summary>
    /// Builds a manager from a snapshot: slots are re-keyed from their prices (so <c>"100.00"</c>, <c>"100.0"</c> and
    /// <c>"100"</c> are one level), both indexes are rebuilt from the slots' orders, and the result must pass
    /// <see cref="CheckInvariants"/>.
    /// </summary>
    /// <param name="snapshot">A snapshot from <see cref="CreateSnapshot"/>.</param>
    /// <param name="options">The grid to restore into: same symbol and direction; every slot price must be on its tick grid.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where the manager logs; no logging if null.</param>
    /// <param name="meterFactory">Creates the manager's meter; no metrics if null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The snapshot does not fit the options, is damaged (a missing, malformed or out-of-range field, named by its path such as <c>snapshot.Slots[3].Order.Quantity</c>), names one level twice, gives one order id to two slots, or breaks an invariant.</exception>
    public static SuperPositionManager Restore(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        SuperPositionManager manager = RestoreWithoutMetrics(snapshot, options, timeProvider, loggerFactory, meterFactory);
        manager.RegisterMetrics();
        return manager;
    }

    private static SuperPositionManager RestoreWithoutMetrics(PositionManagerSnapshot snapshot, PositionManagerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        if (snapshot.FormatVersion != SnapshotFormatVersion)
        {
            throw new ArgumentException($"Snapshot format version {snapshot.FormatVersion} is not supported (this version reads {SnapshotFormatVersion}).", nameof(snapshot));
        }

        if (snapshot.Symbol != options.Symbol)
        {
            throw new ArgumentException($"The snapshot is for {snapshot.Symbol}, the options for {options.Symbol}.", nameof(snapshot));
        }

        if (snapshot.Direction != options.Direction)
        {
            throw new ArgumentException($"The snapshot's grid is {snapshot.Direction}, the options' {options.Direction}.", nameof(snapshot));
        }

        SnapshotValidation.Validate(snapshot); // every field, by path, before anything is built from it
        string? prefix = string.IsNullOrEmpty(snapshot.ClientOrderIdPrefix) ? null : snapshot.ClientOrderIdPrefix;
        var manager = new SuperPositionManager(options, timeProvider, loggerFactory, meterFactory, prefix);
        var op = new Operation(manager);
        manager.Load(snapshot, ref op);
        InvariantCheckResult check = manager.CheckInvariants();
        if (!check.Holds)
        {
            throw new ArgumentException($"The snapshot breaks an invariant: {check.Violation}", nameof(snapshot));
        }

        // A snapshot taken between a result's phase 2 and 3 can hold an update parked for an id its slot now has.
        op.Dispose();
        return manager;
    }

    /// <summary>Loads the snapshot's state; the parked updates that can be routed now are taken for <paramref name="op"/> to re-drive.</summary>
    private void Load(PositionManagerSnapshot snapshot, ref Operation op)
    {
        DateTimeOffset takenAt = snapshot.TakenAt?.ToDateTimeOffset() ?? _time.GetUtcNow(); // the clock, outside the lock
        using (_book.Enter())
        {
            long maxToken = 0, maxLeaseToken = 0;
            foreach (InventorySlot wire in snapshot.Slots)
            {
                decimal price = wire.Price.ToDecimal();
                if (!_grid.TryGetTicks(price, out long key))
                {
                    throw new ArgumentException($"Snapshot slot {price}: {_grid.DescribeBadPrice(price)}.", nameof(snapshot));
                }

                if (_book.TryGet(key, out _))
                {
                    throw new ArgumentException($"Snapshot has two slots at level {price} (prices equal after re-keying by tick).", nameof(snapshot));
                }

                SlotState state = SlotWire.FromWire(wire, key, _grid.ToPrice(key), takenAt);
                var slot = new Slot(state);
                _book.Add_NeedsLock(slot);
                maxToken = Math.Max(maxToken, Math.Max(state.Order.ClaimToken, Math.Max(state.Order.CancelToken, state.LastOrder.ClaimToken)));
                maxLeaseToken = Math.Max(maxLeaseToken, Math.Max(state.Order.LeaseToken, state.Order.CancelLeaseToken));
                if (state.Status != SlotStatus.Free)
                {
                    IndexRestored(slot, state.Order, snapshot);
                }
            }

            foreach (RetiredId retired in snapshot.RetiredIds)
            {
                decimal price = retired.SlotPrice.ToDecimal();
                if (!_grid.TryGetTicks(price, out long key) || !_book.TryGet(key, out Slot? owner))
                {
                    throw new ArgumentException($"Snapshot retired id '{retired.Id}' names slot {price}, which the snapshot does not have.", nameof(snapshot));
                }

                _book.Retire_NeedsLock(retired.Id, retired.IsOrderId, owner);
            }

            foreach (Slot slot in _book.Slots)
            {
                FinishedOrderState last;
                using (slot.Enter())
                {
                    last = slot.LastOrder;
                }

                if (last.ClientOrderId is not null)
                {
                    _book.Retire_NeedsLock(last.ClientOrderId, isOrderId: false, slot);
                    if (last.OrderId is { } lastOrderId)
                    {
                        _book.Retire_NeedsLock(lastOrderId, isOrderId: true, slot);
                    }
                }
            }

            // Leases are not kept, but a claim bound to an old one must never match a new one: fencing goes on past them.
            _book.RestoreSequences_NeedsLock(Math.Max(snapshot.NextClaimToken, maxToken + 1), maxLeaseToken, Math.Max(snapshot.NextClientOrderSequence, 1));
            if (snapshot.ParkedUpdates.Count > _book.ParkedCapacity)
            {
                throw new ArgumentException($"The snapshot's {snapshot.ParkedUpdates.Count} parked updates exceed the capacity {_book.ParkedCapacity} of these options (ParkedUpdateCapacity).", nameof(snapshot));
            }

            foreach (ParkedUpdate parked in snapshot.ParkedUpdates)
            {
                _book.RestoreParked_NeedsLock(new ParkedEntry(parked.Update.ToApi(), parked.ParkedAt.ToDateTimeOffset()));
            }

            if (snapshot.Counters is { } counters)
            {
                foreach (Counter counter in CounterSet.All)
                {
                    _counters.Set(counter, counters.Values.GetValueOrDefault(counter.ToString()));
                }
            }

            if (_book.ParkedCount_NeedsLock() > 0)
            {
                _counters.Add(Counter.UpdatesRedriven, _book.TakeRoutableParked_NeedsLock(ref op));
            }
        }
    }

    private void IndexRestored(Slot slot, in OrderState order, PositionManagerSnapshot snapshot)
    {
        if (string.IsNullOrEmpty(order.ClientOrderId) || _book.IsLiveId_NeedsLock(order.ClientOrderId, isOrderId: false))
        {
            throw new ArgumentException($"Snapshot slot {slot.Price}: client order id '{order.ClientOrderId}' is missing or belongs to two slots.", nameof(snapshot));
        }

        if (order.OrderId is { } orderId && _book.IsLiveId_NeedsLock(orderId, isOrderId: true))
        {
            throw new ArgumentException($"Snapshot slot {slot.Price}: order id '{orderId}' belongs to two slots.", nameof(snapshot));
        }

        _book.SyncIndex_NeedsLock(slot, order.ClientOrderId, order.OrderId, order.ClientOrderId, order.OrderId);
    }
}
