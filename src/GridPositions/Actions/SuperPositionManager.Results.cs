using System.Buffers;
using GridPositions.Operations;
using GridPositions.Slots;

namespace GridPositions;

public sealed partial class SuperPositionManager
{
    /// <summary>
    /// Applies the executor's results for claimed actions, in three phases: resolve each result to its slot under the
    /// manager's lock; under each slot's lock, one at a time, apply it only if the slot still holds the claim token it
    /// answers; then bring the indexes in line under the manager's lock.
    /// </summary>
    /// <param name="results">Results for actions returned by <see cref="ClaimSlots"/>.</param>
    /// <returns>One outcome per result, in order. A stale success carries the cancel to issue for its orphaned order.</returns>
    /// <remarks>
    /// Place success makes the order live and indexes its id. A definite place failure frees the slot; an ambiguous
    /// one (timeout) leaves it <see cref="SlotStatus.Unknown"/> until an update or reconciliation resolves it. A cancel
    /// success leaves the order the slot's until its terminal update (fills may still arrive); a cancel failure keeps
    /// the order live. Results for a claim the slot no longer holds change nothing and are reported stale.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="results"/> is null.</exception>
    /// <exception cref="ArgumentException">A result is malformed (its index is named); nothing was applied.</exception>
    public IReadOnlyList<ResultOutcome> ApplyActionResults(IReadOnlyList<OrderActionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        OrderActionResult[] batch = [.. results]; // read the caller's list once, before any lock
        var outcomes = new ResultOutcome[batch.Length];
        ApplyActionResults(batch, outcomes);
        return outcomes;
    }

    /// <summary>
    /// Applies results like <see cref="ApplyActionResults(IReadOnlyList{OrderActionResult})"/>, writing the outcomes
    /// into <paramref name="outcomes"/>; allocates nothing in steady state.
    /// </summary>
    /// <param name="results">Results for actions returned by <see cref="ClaimSlots"/>. Read before any lock is taken: do not change them during the call.</param>
    /// <param name="outcomes">Receives one outcome per result; at least as long as <paramref name="results"/>.</param>
    /// <exception cref="ArgumentException">A result is malformed (its index is named) or <paramref name="outcomes"/> is too short; nothing was applied.</exception>
    public void ApplyActionResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes)
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
            DateTimeOffset? now = ambiguous ? _time.GetUtcNow() : null;
            ApplyResults(results, outcomes, keys, slots, touched, now);
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

    private void ApplyResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes, long[] keys, Slot?[] slots, SlotEffects[] touched, DateTimeOffset? now)
    {
        var op = new Operation(this);
        try
        {
            ApplyResults(results, outcomes, keys, slots, touched, now, ref op);
        }
        finally
        {
            op.Dispose();
        }

        if (_log is not null)
        {
            LogOrphans(outcomes[..results.Length]);
        }
    }

    private void ApplyResults(ReadOnlySpan<OrderActionResult> results, Span<ResultOutcome> outcomes, long[] keys, Slot?[] slots, SlotEffects[] touched, DateTimeOffset? now, ref Operation op)
    {
        int count = results.Length;
        // Phase 1: resolve each result to its slot. A place whose exchange id another slot's order has (live or
        // remembered) is refused here, where the indexes are stable: no id may belong to two slots (its key becomes -1).
        using (_book.Enter())
        {
            for (int i = 0; i < count; i++)
            {
                _book.TryGet(keys[i], out slots[i]);
                if (results[i] is { Outcome: ActionOutcome.Succeeded, Action.Type: OrderActionType.Place, OrderId: { } orderId }
                    && _book.TryRoute_NeedsLock(orderId, null, out Slot? owner) && !ReferenceEquals(owner, slots[i]))
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
                PublishRejected(outcomes[i].Detail!, null, results[i]);
                continue;
            }

            outcomes[i] = ApplyResult(results[i], slots[i], now, ref touched[i], ref op);
            anyTouched |= touched[i].NeedsIndexSync;
        }

        // Phase 3: re-read each touched slot and make its index entries match it now.
        if (anyTouched)
        {
            using (_book.Enter())
            {
                for (int i = 0; i < count; i++)
                {
                    if (touched[i].NeedsIndexSync)
                    {
                        SyncIndex_NeedsGlobalLock(slots[i]!, touched[i], ref op);
                    }
                }
            }
        }

        op.CloseIndexWindow();
        _counters.CountResults(outcomes[..count]);
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
            PublishRejected(detail, null, result);
            return new ResultOutcome(InputDisposition.Rejected, null, detail);
        }

        using (slot.Enter())
        {
            ResultOutcome outcome = result.Action.Type == OrderActionType.Place
                ? slot.ApplyPlaceResult_NeedsLock(result, now, ref effects)
                : slot.ApplyCancelResult_NeedsLock(result, ref effects);
            PublishEffects_NeedsSlotLock(slot, effects, ref op);
            if (outcome.Disposition == InputDisposition.Rejected)
            {
                PublishRejected(effects.Detail!, null, result);
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

        return _grid.TryGetTicks(action.SlotPrice, out key) ? null : $"Action.SlotPrice: {_grid.DescribeBadPrice(action.SlotPrice)}.";
    }
}
