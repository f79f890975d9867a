using System.Buffers;
using GridPositions.Book;
using GridPositions.Diagnostics;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions.Routing;

/// <summary>
/// Order updates from the exchange's stream, in three phases: route (lock-free for a live order, else under the book's
/// lock, parking what matches nothing), apply under the slot's lock, then re-index under the book's lock. Also the
/// phase 3 every input shares (<see cref="SyncIndex_NeedsBookLock"/>) and the re-drive of parked updates.
/// </summary>
internal sealed class UpdateRouter(ManagerContext context, SlotBook book, OperationSinks sinks)
{
    private readonly CounterSet _counters = context.Counters;

    /// <summary>What is wrong with an update for this manager, or null: its shape, a fee asset these options cannot tell apart, a fee from the other source.</summary>
    private string? Describe(in OrderUpdate update, string tradePrefix = "Trade.") =>
        UpdateValidation.Describe(update) ?? context.FeeAssets.Describe(update.FeeAsset, "FeeAsset") ?? UpdateValidation.DescribeFeeSource(update, context.FeesPerTrade, tradePrefix);

    /// <summary>Validates a trade report (its fields named as the report names them), then applies it as an update that carries only the trade.</summary>
    public InputDisposition OnTrade(in TradeReport trade)
    {
        OrderUpdate update = trade.ToUpdate();
        if ((UpdateValidation.DescribeTrade(update.Trade!, "") ?? Describe(UpdateValidation.WithoutBlankIds(update), "")) is { } problem)
        {
            throw new ArgumentException(problem, nameof(trade));
        }

        return OnOrderUpdate(update);
    }

    /// <summary>Validates, routes and applies one update; returns when its effect is durable.</summary>
    public InputDisposition OnOrderUpdate(OrderUpdate update)
    {
        if (UpdateValidation.HasBlankId(update))
        {
            update = UpdateValidation.WithoutBlankIds(update);
        }

        if (Describe(update) is { } problem)
        {
            throw new ArgumentException(problem, nameof(update));
        }

        Operation op = sinks.Begin();
        try
        {
            return Apply(update, ref op);
        }
        finally
        {
            op.Dispose();
        }
    }

    /// <summary>
    /// Validates every update first (one malformed update, named by its index, changes nothing), then routes and applies
    /// them in order as one operation: their journal records share one flush. Returns once durable, or with
    /// <paramref name="deferDurability"/> returns at once with the journal sequence the caller must await.
    /// </summary>
    public ulong OnOrderUpdates(ReadOnlySpan<OrderUpdate> updates, Span<InputDisposition> dispositions, bool deferDurability)
    {
        if (dispositions.Length < updates.Length)
        {
            throw new ArgumentException($"dispositions holds {dispositions.Length}, fewer than the {updates.Length} updates.", nameof(dispositions));
        }

        int count = updates.Length;
        OrderUpdate[] batch = ArrayPool<OrderUpdate>.Shared.Rent(count); // the caller's updates are read once, here
        try
        {
            for (int i = 0; i < count; i++)
            {
                OrderUpdate update = UpdateValidation.HasBlankId(updates[i]) ? UpdateValidation.WithoutBlankIds(updates[i]) : updates[i];
                if (Describe(update) is { } problem)
                {
                    throw new ArgumentException($"updates[{i}]: {problem}", nameof(updates));
                }

                batch[i] = update;
            }

            ulong durableAt = 0;
            Operation op = deferDurability ? sinks.Begin(ref durableAt) : sinks.Begin();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    dispositions[i] = Apply(batch[i], ref op);
                }
            }
            finally
            {
                op.Dispose();
            }

            return durableAt;
        }
        finally
        {
            Array.Clear(batch, 0, count); // a pooled array must not keep the caller's ids alive
            ArrayPool<OrderUpdate>.Shared.Return(batch);
        }
    }

    /// <summary>Applies a batch the caller's list was copied into; returns once durable.</summary>
    public InputDisposition[] OnOrderUpdates(OrderUpdate[] batch)
    {
        var dispositions = new InputDisposition[batch.Length];
        OnOrderUpdates(batch, dispositions, deferDurability: false);
        return dispositions;
    }

    /// <summary>The awaited form of one update: applies it at once and completes once durable; a token already canceled applies nothing.</summary>
    public ValueTask<InputDisposition> OnOrderUpdateAsync(in OrderUpdate update, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<InputDisposition>(cancellationToken);
        }

        Span<InputDisposition> disposition = stackalloc InputDisposition[1];
        ulong durableAt = OnOrderUpdates(new ReadOnlySpan<OrderUpdate>(in update), disposition, deferDurability: true);
        return sinks.WhenDurable(disposition[0], durableAt, cancellationToken);
    }

    /// <summary>The awaited form of a batch: applies it at once and completes once durable; a token already canceled applies nothing.</summary>
    public ValueTask<IReadOnlyList<InputDisposition>> OnOrderUpdatesAsync(OrderUpdate[] batch, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<InputDisposition>>(cancellationToken);
        }

        var dispositions = new InputDisposition[batch.Length];
        ulong durableAt = OnOrderUpdates(batch, dispositions, deferDurability: true);
        return sinks.WhenDurable<IReadOnlyList<InputDisposition>>(dispositions, durableAt, cancellationToken);
    }

    /// <summary>Expires parked updates older than the time to live now; returns how many.</summary>
    public int ExpireParked()
    {
        List<ParkedEntry>? expired = null;
        DateTimeOffset now = context.Now;
        Operation op = sinks.Begin();
        try
        {
            using (book.Enter())
            {
                book.TakeExpired_NeedsLock(now, ref expired);
                sinks.Expired_NeedsBookLock(expired, _counters);
            }
        }
        finally
        {
            op.Dispose();
        }

        return expired?.Count ?? 0;
    }

    /// <summary>Routes and applies a validated update (a live one, or a parked one re-driven by <paramref name="op"/>'s Dispose).</summary>
    public InputDisposition Apply(in OrderUpdate update, ref Operation op)
    {
        var effects = default(SlotEffects);
        InputDisposition disposition;
        // Phase 1: route by order id, then client order id; park what matches nothing.
        Slot? slot = RouteOrPark(update);
        if (slot is null)
        {
            return InputDisposition.Parked;
        }

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.UnlockedDuplicateShortcut) && !Slot.IsTerminal(update.Status) && slot.FilledQuantityWithoutLock == update.CumulativeFilledQuantity)
        {
            _counters.Count(InputDisposition.Duplicate, isUpdate: true); // the injected bug: no lock, no id check
            return InputDisposition.Duplicate;
        }
#endif

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.TradeDedupBeforeLock) && update.Trade is { } early)
        {
            FaultInjection.TradeSeenBeforeLock = slot.KnowsTradeWithoutLock(early.TradeId);
        }
#endif

        // Phase 2: the slot checks the update is for its current order and books only the fill's growth.
        using (slot.Enter())
        {
            disposition = slot.ApplyUpdate_NeedsLock(update, context.Sign, context.FeeAssets.Resolve(update.FeeAsset), ref effects);
            slot.Tally_NeedsLock(disposition, effects);
            sinks.Effects_NeedsSlotLock(slot, effects, ref op);
            if (disposition == InputDisposition.Rejected)
            {
                sinks.Rejected(effects.Detail!, update, null);
            }

            if (effects.NeedsIndexSync)
            {
                op.OpenIndexWindow(); // under the slot's lock: before anyone can see the change
            }
#if FAULT_INJECTION
            if (FaultInjection.Is(Fault.LockOrderInversion) && effects.NeedsIndexSync)
            {
                using (book.Enter())
                {
                    SyncIndex_NeedsBookLock(slot, effects, ref op);
                }
            }
#endif
        }

        // Phase 3: index an id the update taught us, or retire the ids of an order it finished.
        if (effects.NeedsIndexSync)
        {
            using (book.Enter())
            {
                SyncIndex_NeedsBookLock(slot, effects, ref op);
            }

            op.CloseIndexWindow();
        }

        return disposition;
    }

    /// <summary>
    /// Phase 3: makes the index entries of the ids an input touched match what <paramref name="slot"/> holds now.
    /// The slot is re-read here (slot lock inside the book's lock, the permitted order), because between phase 2
    /// and now another input may have moved it on; whichever phase 3 runs last sees the final state.
    /// </summary>
    public void SyncIndex_NeedsBookLock(Slot slot, in SlotEffects touched, ref Operation op)
    {
        book.AssertLocked();
        string? currentClientId = null, currentOrderId = null;
        using (slot.Enter())
        {
            if (slot.Status != SlotStatus.Free)
            {
                currentClientId = slot.Order.ClientOrderId;
                currentOrderId = slot.Order.OrderId;
            }
        }

        book.SyncIndex_NeedsLock(slot, touched.TouchedClientOrderId, touched.TouchedOrderId, currentClientId, currentOrderId);

        // Parked updates naming these ids can be routed now (to the live order, or as duplicates of a finished one).
        if (book.ParkedCount_NeedsLock() > 0)
        {
            _counters.Add(Counter.UpdatesRedriven, book.TakeParked_NeedsLock(touched.TouchedClientOrderId, touched.TouchedOrderId, ref op));
        }
    }

    /// <summary>Phase 1 of an update: finds its slot, or parks it and returns null.</summary>
    /// <remarks>
    /// A live order is found without the lock (the index may trail by one phase, which phase 2 absorbs). Anything else
    /// is routed again under the lock, where routing and parking are one step with the re-drive in phase 3, so an update
    /// is parked only if its mapping really is absent. The clock is user code, so it is read outside the lock: up front
    /// when updates are parked (to expire old ones), otherwise only once routing has failed, then routing is tried again.
    /// </remarks>
    private Slot? RouteOrPark(in OrderUpdate update)
    {
        // Fast path, without the lock: the update's order is live and nothing is parked (nothing to expire).
        if (book.ParkedCountWithoutLock == 0 && book.TryRouteLive(update.OrderId, update.ClientOrderId, out Slot? live))
        {
            return live;
        }

        DateTimeOffset? now = book.ParkedCountWithoutLock > 0 ? context.Now : null;
        while (true)
        {
            using (book.Enter())
            {
                List<ParkedEntry>? expired = null;
                if (now is { } at && book.ParkedCount_NeedsLock() > 0)
                {
                    book.TakeExpired_NeedsLock(at, ref expired);
                }

                bool routed = book.TryRoute_NeedsLock(update.OrderId, update.ClientOrderId, out Slot? slot);
#if FAULT_INJECTION
                if (FaultInjection.Is(Fault.ParkWithoutRecheck))
                {
                    routed = false; // the injected bug: trust the lock-free miss instead of routing again under the lock
                    slot = null;
                }

                if (!routed && FaultInjection.Is(Fault.DropEarlyUpdates))
                {
                    return null;
                }
#endif
                if (!routed && now is { } parkedAt)
                {
                    book.Park_NeedsLock(update, parkedAt, ref expired);
                    _counters.Increment(Counter.UpdatesParked);
                }

                sinks.Expired_NeedsBookLock(expired, _counters);
                if (routed || now is not null)
                {
                    return slot;
                }
            }

            now = context.Now;
        }
    }
}
