using System.Buffers;
using GridPositions.Book;
using GridPositions.Operations;
using GridPositions.Routing;
using GridPositions.Slots;
using GridPositions.Telemetry;

namespace GridPositions.Actions;

/// <summary>
/// The executor's place and cancel results, in three phases: resolve each to its slot under the book's lock; under
/// each slot's lock, one at a time, apply it only if the slot still holds the claim token it answers; then bring the
/// indexes in line under the book's lock.
/// </summary>
internal sealed class ResultRules(ManagerContext context, SlotBook book, OperationSinks sinks, UpdateRouter router)
{
    /// <summary>Applies a batch the caller's list was copied into; returns once durable.</summary>
    public ResultOutcome[] Apply(OrderActionResult[] batch)
    {
        var outcomes = new ResultOutcome[batch.Length];
        Apply(batch, outcomes);
        return outcomes;
    }

    /// <summary>The awaited form: applies at once and completes once durable; a token already canceled applies nothing.</summary>
    public ValueTask<IReadOnlyList<ResultOutcome>> ApplyAsync(OrderActionResult[] batch, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<ResultOutcome>>(cancellationToken);
        }

        var outcomes = new ResultOutcome[batch.Length];
        ulong durableAt = Apply(batch, outcomes, deferDurability: true);
        return sinks.WhenDurable<IReadOnlyList<ResultOutcome>>(outcomes, durableAt, cancellationToken);
    }

    /// <summary>Applies the results; returns once durable, or with <paramref name="deferDurability"/> returns the journal sequence the caller must await.</summary>
    public ulong Apply(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes, bool deferDurability = false)
    {
        if (outcomes.Length < results.Length)
        {
            throw new ArgumentException($"outcomes holds {outcomes.Length}, fewer than the {results.Length} results.", nameof(outcomes));
        }

        int count = results.Length;
        long[] keys = ArrayPool<long>.Shared.Rent(count);
        Slot?[] slots = ArrayPool<Slot?>.Shared.Rent(count);
        SlotEffects[] touched = ArrayPool<SlotEffects>.Shared.Rent(count);
        try
        {
            bool ambiguous = false;
            for (int i = 0; i < count; i++)
            {
                if (ValidateResult(results[i], out keys[i]) is { } problem)
                {
                    throw new ArgumentException($"results[{i}].{problem}", nameof(results));
                }

                ambiguous |= results[i].Outcome == ActionOutcome.Ambiguous;
            }

            // An ambiguous place records when it happened (reconciliation waits a grace period); read the clock outside the locks.
            DateTimeOffset? now = ambiguous ? context.Now : null;
            ulong durableAt = 0;
            Operation op = deferDurability ? sinks.Begin(ref durableAt) : sinks.Begin();
            try
            {
                ApplyResults(results, outcomes, keys, slots, touched, now, ref op);
            }
            finally
            {
                op.Dispose();
            }

            if (context.Log is { } log)
            {
                ManagerLog.Orphans(log, context.Settings.Symbol, outcomes[..count]);
            }

            return durableAt;
        }
        finally
        {
            // Only this method rents these types, and it returns them cleared: a rented one is always clean.
            touched.AsSpan(0, count).Clear(); // phase 2 adds to each cell's effects: a stale one would carry the last batch's
            // Stryker disable Statement : pooling only; phase 1 writes every slot cell it reads, so a stale or fresh array gives the same results
            slots.AsSpan(0, count).Clear();
            ArrayPool<long>.Shared.Return(keys);
            ArrayPool<Slot?>.Shared.Return(slots);
            ArrayPool<SlotEffects>.Shared.Return(touched);
            // Stryker restore Statement
        }
    }

    private void ApplyResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes, long[] keys, Slot?[] slots, SlotEffects[] touched, DateTimeOffset? now, ref Operation op)
    {
        int count = results.Length;
        // Phase 1: resolve each result to its slot. A place whose exchange id another slot's order has (live or
        // remembered) is refused here, where the indexes are stable: no id may belong to two slots (its key becomes -1).
        using (book.Enter())
        {
            for (int i = 0; i < count; i++)
            {
                book.TryGet(keys[i], out slots[i]);
                if (results[i] is { Outcome: ActionOutcome.Succeeded, Action.Type: OrderActionType.Place, OrderId: { } orderId }
                    && book.TryRoute_NeedsLock(orderId, null, out Slot? owner) && !ReferenceEquals(owner, slots[i]))
                {
                    keys[i] = -1;
                    string detail = $"order id {orderId} belongs to slot {owner.Price}'s order; the result for slot {results[i].Action.SlotPrice} cannot take it";
                    outcomes[i] = new ResultOutcome(InputDisposition.Rejected, null, detail);
                }
            }
        }

        // Phase 2: one slot at a time. The slot re-validates the claim token: it may have moved on since phase 1.
        // The whole batch is one index window (opened before any slot changes, closed after phase 3).
        op.OpenIndexWindow();
        bool anyTouched = false;
        for (int i = 0; i < count; i++)
        {
            if (keys[i] < 0)
            {
                sinks.Rejected(outcomes[i].Detail!, null, results[i]);
                continue;
            }

            outcomes[i] = ApplyResult(results[i], slots[i], now, ref touched[i], ref op);
            anyTouched |= touched[i].NeedsIndexSync;
        }

        // Phase 3: re-read each touched slot and make its index entries match it now.
        if (anyTouched)
        {
            using (book.Enter())
            {
                for (int i = 0; i < count; i++)
                {
                    if (touched[i].NeedsIndexSync)
                    {
                        router.SyncIndex_NeedsBookLock(slots[i]!, touched[i], ref op);
                    }
                }
            }
        }

        op.CloseIndexWindow();
        context.Counters.CountResults(outcomes[..count]);
    }

    private ResultOutcome ApplyResult(in OrderActionResult result, Slot? slot, DateTimeOffset? now, ref SlotEffects effects, ref Operation op)
    {
        if (result.Action.ClaimToken == 0)
        {
            return new ResultOutcome(InputDisposition.Stale, null, "the result of an orphan's follow-up cancel: no slot holds that order");
        }

        if (slot is null)
        {
            string detail = $"no slot at {result.Action.SlotPrice}: the action was never claimed here";
            sinks.Rejected(detail, null, result);
            return new ResultOutcome(InputDisposition.Rejected, null, detail);
        }

        using (slot.Enter())
        {
            ResultOutcome outcome = result.Action.Type == OrderActionType.Place
                ? slot.ApplyPlaceResult_NeedsLock(result, now, ref effects)
                : slot.ApplyCancelResult_NeedsLock(result, ref effects);
            sinks.Effects_NeedsSlotLock(slot, effects, ref op);
            if (outcome.Disposition == InputDisposition.Rejected)
            {
                sinks.Rejected(effects.Detail!, null, result);
            }

            return outcome;
        }
    }

    /// <summary>Null when the result is well formed (and its slot key in <paramref name="key"/>), otherwise what is wrong.</summary>
    private string? ValidateResult(in OrderActionResult result, out long key)
    {
        key = 0;
        OrderAction action = result.Action;
        if (action.Type is not (OrderActionType.Place or OrderActionType.Cancel))
        {
            return $"Action.Type must be Place or Cancel; got {action.Type}.";
        }

        if (result.Outcome is not (ActionOutcome.Succeeded or ActionOutcome.Failed or ActionOutcome.Ambiguous))
        {
            return $"Outcome must be Succeeded, Failed or Ambiguous; got {result.Outcome}.";
        }

        // Token 0 is the follow-up cancel of an orphaned order (ResultOutcome.CancelToIssue), which no slot claimed.
        if (action.ClaimToken < 0 || (action.ClaimToken == 0 && action.Type != OrderActionType.Cancel))
        {
            return $"Action.ClaimToken must be the positive token of a claimed action; got {action.ClaimToken}.";
        }

        // Blank ids are no ids on every path (updates and the exchange's reports treat them the same way).
        if (string.IsNullOrWhiteSpace(action.ClientOrderId))
        {
            return "Action.ClientOrderId is required (not blank).";
        }

        if (action.Type == OrderActionType.Place && result.Outcome == ActionOutcome.Succeeded && string.IsNullOrWhiteSpace(result.OrderId))
        {
            return "OrderId is required (not blank) for a successful place.";
        }

        return context.Grid.TryGetTicks(action.SlotPrice, out key) ? null : $"Action.SlotPrice: {context.Grid.DescribeBadPrice(action.SlotPrice)}.";
    }
}
