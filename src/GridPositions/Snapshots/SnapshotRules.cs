using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;
using GridPositions.Wire;

namespace GridPositions.Snapshots;

/// <summary>
/// Reads of the slots (views, totals, snapshots: each slot copied atomically as a <see cref="SlotState"/>) and the
/// load of a snapshot into an empty book, which rebuilds the indexes from the slots.
/// </summary>
internal sealed class SnapshotRules(ManagerContext context, SlotBook book)
{
    private readonly PriceGrid _grid = context.Grid;

    public SlotView? View(decimal price)
    {
        if (!book.TryGet(_grid.GetTicks(price, nameof(price)), out Slot? slot))
        {
            return null;
        }

        using (slot.Enter())
        {
            return slot.ToView_NeedsLock();
        }
    }

    public IReadOnlyList<SlotView> Views()
    {
        Slot[] slots = book.ByKey();
        var views = new SlotView[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            using (slots[i].Enter())
            {
                views[i] = slots[i].ToView_NeedsLock();
            }
        }

        return views;
    }

    /// <summary>Values every held position at <paramref name="markPrice"/> (see <see cref="PositionValuation"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="markPrice"/> is not positive, beyond the bound, or values a slot's inventory beyond it.</exception>
    public PositionValuation Value(decimal markPrice, IReadOnlyDictionary<string, decimal>? feeRates)
    {
        if (markPrice <= 0 || !Fills.Amounts.Fits(markPrice))
        {
            throw new ArgumentOutOfRangeException(nameof(markPrice), markPrice, $"The mark price must be positive and at most {Fills.Amounts.Max:N0}.");
        }

        int sign = context.Sign;
        var slots = new List<SlotValuation>();
        decimal inventory = 0, entryNotional = 0, entryFees = 0, unrealized = 0, realized = 0;
        AssetAmount[]? otherFees = null;
        foreach (SlotView view in Views())
        {
            realized += view.RealizedPnl;
            foreach (AssetAmount fee in view.OtherFees)
            {
                otherFees = Fills.AssetAmounts.Add(otherFees, fee.Asset, fee.Amount);
            }

            if (view.Inventory == 0)
            {
                continue;
            }

            if (!Fills.Amounts.ProductFits(markPrice, view.Inventory) || !Fills.Amounts.Fits(markPrice * view.Inventory))
            {
                throw new ArgumentOutOfRangeException(nameof(markPrice), markPrice, $"The inventory {view.Inventory} of slot {view.Price} at this mark price is beyond the bound of {Fills.Amounts.Max:N0}.");
            }

            decimal markValue = markPrice * view.Inventory;
            decimal pnl = (sign * (markValue - view.EntryNotional)) - view.EntryFees;
            slots.Add(new SlotValuation(view.Price, view.Inventory, view.EntryNotional, view.EntryFees, markValue, pnl, BreakEven(view.EntryNotional, view.EntryFees, view.Inventory, sign)));
            (inventory, entryNotional, entryFees, unrealized) = (inventory + view.Inventory, entryNotional + view.EntryNotional, entryFees + view.EntryFees, unrealized + pnl);
        }

        return new PositionValuation(markPrice, inventory, unrealized, realized, inventory == 0 ? null : BreakEven(entryNotional, entryFees, inventory, sign), slots)
        {
            OtherFees = Fills.AssetAmountList.Of(otherFees),
            OtherFeesInQuote = InQuote(otherFees, feeRates),
        };

        // Long: the fees paid raise the price a close must reach; short: they lower it.
        static decimal BreakEven(decimal notional, decimal fees, decimal quantity, int sign) => (notional + (sign * fees)) / quantity;
    }

    /// <summary>Other assets' fees at the caller's rates: null when one has no rate (nothing would be worse than a partial sum).</summary>
    private static decimal? InQuote(AssetAmount[]? fees, IReadOnlyDictionary<string, decimal>? feeRates)
    {
        var byName = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        foreach ((string asset, decimal rate) in feeRates ?? new Dictionary<string, decimal>())
        {
            if (rate <= 0 || !Fills.Amounts.Fits(rate) || string.IsNullOrWhiteSpace(asset))
            {
                throw new ArgumentOutOfRangeException(nameof(feeRates), rate, $"The fee rate for '{asset}' must be a positive price at most {Fills.Amounts.Max:N0}, for a named asset.");
            }

            if (!byName.TryAdd(asset, rate))
            {
                throw new ArgumentOutOfRangeException(nameof(feeRates), rate, $"Two fee rates are for '{asset}' (names are compared ignoring case).");
            }
        }

        decimal total = 0;
        foreach (AssetAmount fee in fees ?? [])
        {
            if (!byName.TryGetValue(fee.Asset, out decimal rate))
            {
                return null;
            }

            try
            {
                total += fee.Amount * rate; // a lifetime fee total is not bounded, so this can leave decimal's range
            }
            catch (OverflowException)
            {
                throw new ArgumentOutOfRangeException(nameof(feeRates), rate, $"The fees paid in {fee.Asset} ({fee.Amount}) at {rate} are beyond decimal's range.");
            }
        }

        return total;
    }

    public PositionTotals Totals()
    {
        decimal inventory = 0, realized = 0, entryNotional = 0, baseFees = 0;
        long roundTrips = 0;
        AssetAmount[]? otherFees = null;
        foreach (Slot slot in book.ByKey())
        {
            using (slot.Enter())
            {
                inventory += slot.Position.Inventory;
                entryNotional += slot.Position.EntryNotional;
                realized += slot.Position.RealizedPnl;
                roundTrips += slot.Position.RoundTrips;
                baseFees += slot.Position.BaseFees;
                otherFees = Fills.AssetAmounts.AddAll(otherFees, slot.Position.OtherFees);
            }
        }

        return new PositionTotals(inventory, entryNotional, realized, roundTrips) { BaseFees = baseFees, OtherFees = Fills.AssetAmountList.Of(otherFees) };
    }

    public PositionManagerSnapshot Create()
    {
        PositionManagerOptions settings = context.Settings;
        var snapshot = new PositionManagerSnapshot
        {
            FormatVersion = SuperPositionManager.SnapshotFormatVersion,
            Symbol = settings.Symbol,
            TickSize = settings.TickSize.ToWire(),
            QuantityStep = settings.QuantityStep.ToWire(),
            Direction = settings.Direction,
            TakenAt = context.Now.ToWire(),
            ClientOrderIdPrefix = book.ClientIdPrefix,
            Counters = new CounterValues(),
        };

        using (book.Enter())
        {
            (snapshot.NextClaimToken, snapshot.NextClientOrderSequence) = book.Sequences_NeedsLock();
            foreach (Slot slot in book.Slots.OrderBy(s => s.Key))
            {
                using (slot.Enter())
                {
                    snapshot.Slots.Add(SlotWire.ToWire(slot.ReadState_NeedsLock()));
                }
            }

            foreach ((string id, bool isOrderId, Slot owner) in book.Retired_NeedsLock())
            {
                snapshot.RetiredIds.Add(new RetiredId { Id = id, IsOrderId = isOrderId, SlotPrice = owner.Price.ToWire() });
            }

            foreach (ParkedEntry entry in book.Parked_NeedsLock())
            {
                snapshot.ParkedUpdates.Add(new ParkedUpdate { Update = entry.Update.ToWire(), ParkedAt = entry.ParkedAt.ToWire() });
            }

            foreach (Counter counter in CounterSet.All)
            {
                snapshot.Counters.Values[counter.ToString()] = context.Counters.Read(counter);
            }
        }

        return snapshot;
    }

    /// <summary>What a snapshot must match before anything is built from it: its format, the options' grid, every field by path.</summary>
    public static void CheckFits(PositionManagerSnapshot snapshot, PositionManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        if (snapshot.FormatVersion != SuperPositionManager.SnapshotFormatVersion)
        {
            throw new ArgumentException($"Snapshot format version {snapshot.FormatVersion} is not supported (this version reads {SuperPositionManager.SnapshotFormatVersion}).", nameof(snapshot));
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

        // A parked update is applied later as if it had just arrived, so it must name a fee asset these options tell apart,
        // and carry its fee from the source they book (otherwise it would be dropped or counted twice).
        var feeAssets = new Fills.FeeAssets(options.BaseAsset, options.QuoteAsset);
        for (int i = 0; i < snapshot.ParkedUpdates.Count; i++)
        {
            string feeAsset = snapshot.ParkedUpdates[i].Update.FeeAsset;
            if (feeAssets.Describe(feeAsset, "FeeAsset") is { } problem)
            {
                throw new ArgumentException($"snapshot.ParkedUpdates[{i}].Update.FeeAsset: {problem}", nameof(snapshot));
            }

            if (UpdateValidation.DescribeFeeSource(snapshot.ParkedUpdates[i].Update.ToApi(), options.FeesPerTrade, "Trade.") is { } source)
            {
                throw new ArgumentException($"snapshot.ParkedUpdates[{i}].Update: {source}", nameof(snapshot));
            }
        }
    }

    /// <summary>The client order id prefix a restored manager keeps (null: the snapshot has none, so a new lineage starts).</summary>
    public static string? PrefixOf(PositionManagerSnapshot snapshot) => string.IsNullOrEmpty(snapshot.ClientOrderIdPrefix) ? null : snapshot.ClientOrderIdPrefix;

    /// <summary>Loads the snapshot into a new manager's empty book, then refuses it if it breaks an invariant.</summary>
    /// <exception cref="ArgumentException">The snapshot is damaged or breaks an invariant.</exception>
    public void Restore(PositionManagerSnapshot snapshot, OperationSinks sinks, InvariantChecker invariants)
    {
        Operation op = sinks.Begin();
        Load(snapshot, ref op);
        InvariantCheckResult check = invariants.Check();
        if (!check.Holds)
        {
            throw new ArgumentException($"The snapshot breaks an invariant: {check.Violation}", nameof(snapshot));
        }

        // A snapshot taken between a result's phase 2 and 3 can hold an update parked for an id its slot now has.
        op.Dispose();
    }

    /// <summary>Loads the snapshot's state; the parked updates that can be routed now are taken for <paramref name="op"/> to re-drive.</summary>
    public void Load(PositionManagerSnapshot snapshot, ref Operation op)
    {
        DateTimeOffset takenAt = snapshot.TakenAt?.ToDateTimeOffset() ?? context.Now; // the clock, outside the lock
        using (book.Enter())
        {
            long maxToken = 0, maxLeaseToken = 0;
            foreach (InventorySlot wire in snapshot.Slots)
            {
                decimal price = wire.Price.ToDecimal();
                if (!_grid.TryGetTicks(price, out long key))
                {
                    throw new ArgumentException($"Snapshot slot {price}: {_grid.DescribeBadPrice(price)}.", nameof(snapshot));
                }

                if (book.TryGet(key, out _))
                {
                    throw new ArgumentException($"Snapshot has two slots at level {price} (prices equal after re-keying by tick).", nameof(snapshot));
                }

                SlotState state = SlotWire.FromWire(wire, key, _grid.ToPrice(key), takenAt);
                var slot = new Slot(state);
                book.Add_NeedsLock(slot);
                maxToken = Math.Max(maxToken, Math.Max(state.Order.ClaimToken, Math.Max(state.Order.CancelToken, state.LastOrder.ClaimToken)));
                maxLeaseToken = Math.Max(maxLeaseToken, Math.Max(state.Order.LeaseToken, state.Order.CancelLeaseToken));
                if (state.Status != SlotStatus.Free)
                {
                    IndexRestored_NeedsBookLock(slot, state.Order, snapshot);
                }
            }

            foreach (RetiredId retired in snapshot.RetiredIds)
            {
                decimal price = retired.SlotPrice.ToDecimal();
                if (!_grid.TryGetTicks(price, out long key) || !book.TryGet(key, out Slot? owner))
                {
                    throw new ArgumentException($"Snapshot retired id '{retired.Id}' names slot {price}, which the snapshot does not have.", nameof(snapshot));
                }

                book.Retire_NeedsLock(retired.Id, retired.IsOrderId, owner);
            }

            foreach (Slot slot in book.Slots)
            {
                FinishedOrderState last;
                using (slot.Enter())
                {
                    last = slot.LastOrder;
                }

                if (last.ClientOrderId is not null)
                {
                    book.Retire_NeedsLock(last.ClientOrderId, isOrderId: false, slot);
                    if (last.OrderId is { } lastOrderId)
                    {
                        book.Retire_NeedsLock(lastOrderId, isOrderId: true, slot);
                    }
                }
            }

            // Leases are not kept, but a claim bound to an old one must never match a new one: fencing goes on past them.
            book.RestoreSequences_NeedsLock(Math.Max(snapshot.NextClaimToken, maxToken + 1), maxLeaseToken, Math.Max(snapshot.NextClientOrderSequence, 1));
            if (snapshot.ParkedUpdates.Count > book.ParkedCapacity)
            {
                throw new ArgumentException($"The snapshot's {snapshot.ParkedUpdates.Count} parked updates exceed the capacity {book.ParkedCapacity} of these options (ParkedUpdateCapacity).", nameof(snapshot));
            }

            foreach (ParkedUpdate parked in snapshot.ParkedUpdates)
            {
                book.RestoreParked_NeedsLock(new ParkedEntry(parked.Update.ToApi(), parked.ParkedAt.ToDateTimeOffset()));
            }

            if (snapshot.Counters is { } counters)
            {
                foreach (Counter counter in CounterSet.All)
                {
                    context.Counters.Set(counter, counters.Values.GetValueOrDefault(counter.ToString()));
                }
            }

            if (book.ParkedCount_NeedsLock() > 0)
            {
                context.Counters.Add(Counter.UpdatesRedriven, book.TakeRoutableParked_NeedsLock(ref op));
            }
        }
    }

    private void IndexRestored_NeedsBookLock(Slot slot, in OrderState order, PositionManagerSnapshot snapshot)
    {
        book.AssertLocked();
        if (string.IsNullOrEmpty(order.ClientOrderId) || book.IsLiveId_NeedsLock(order.ClientOrderId, isOrderId: false))
        {
            throw new ArgumentException($"Snapshot slot {slot.Price}: client order id '{order.ClientOrderId}' is missing or belongs to two slots.", nameof(snapshot));
        }

        if (order.OrderId is { } orderId && book.IsLiveId_NeedsLock(orderId, isOrderId: true))
        {
            throw new ArgumentException($"Snapshot slot {slot.Price}: order id '{orderId}' belongs to two slots.", nameof(snapshot));
        }

        book.SyncIndex_NeedsLock(slot, order.ClientOrderId, order.OrderId, order.ClientOrderId, order.OrderId);
    }
}
