using GridPositions.Diagnostics;
using GridPositions.Routing;
using GridPositions.Slots;
using Microsoft.Extensions.Logging;

namespace GridPositions.Events;

/// <summary>
/// The manager's six events: who listens, what is queued for them (under a slot's or the slot book's lock, memory
/// only, in the order things happened), and their delivery through the <see cref="EventDispatcher"/> with no lock
/// held. An event nobody listens for is never built or queued.
/// </summary>
internal sealed class EventSink
{
    private readonly object _sender;
    private readonly EventDispatcher _dispatcher;
    private readonly CounterSet _counters;
    private readonly ILogger? _log;
    private readonly string _symbol;

    /// <param name="sender">What handlers receive as the sender: the manager.</param>
    /// <param name="counters">Where a handler's exception is counted.</param>
    /// <param name="log">Where a handler's exception is logged, if anywhere.</param>
    /// <param name="symbol">The manager's symbol, for that log line.</param>
    public EventSink(object sender, CounterSet counters, ILogger? log, string symbol)
    {
        _sender = sender;
        _counters = counters;
        _log = log;
        _symbol = symbol;
        _dispatcher = new EventDispatcher(Publish, () => counters.Increment(Counter.SubscriberFailures));
    }

    public event EventHandler<SlotChangedEventArgs>? SlotChanged;

    public event EventHandler<FillAppliedEventArgs>? FillApplied;

    public event EventHandler<RoundTripCompletedEventArgs>? RoundTripCompleted;

    public event EventHandler<TargetsChangedEventArgs>? TargetsChanged;

    public event EventHandler<LeaseExpiredEventArgs>? LeaseExpired;

    public event EventHandler<InputRejectedEventArgs>? InputRejected;

    public event EventHandler<UpdateExpiredEventArgs>? UpdateExpired;

    /// <summary>Raised once, when the manager is disposed and the events before it are delivered: event streams end.</summary>
    public event Action? Closed;

    /// <summary>Set just before <see cref="Closed"/> is raised: a stream begun after it ends at once.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    private bool _closed;

    /// <summary>Ends the event streams once every event queued so far is delivered (with no lock held).</summary>
    public async Task CloseAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        Volatile.Write(ref _closed, true);
        Closed?.Invoke();
    }

    /// <summary>Test seam: whether the event named <paramref name="name"/> has any handler.</summary>
    public bool HasHandlers(string name) => name switch
    {
        nameof(SlotChanged) => SlotChanged is not null,
        nameof(FillApplied) => FillApplied is not null,
        nameof(RoundTripCompleted) => RoundTripCompleted is not null,
        nameof(TargetsChanged) => TargetsChanged is not null,
        nameof(LeaseExpired) => LeaseExpired is not null,
        nameof(InputRejected) => InputRejected is not null,
        nameof(UpdateExpired) => UpdateExpired is not null,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an event of the manager"),
    };

    /// <summary>Whether queued events have no drain to deliver them (after a call returns, a call that forgot to schedule).</summary>
    public bool IsStalled => _dispatcher.IsStalled;

    /// <summary>Completes once every event queued before the call has been delivered.</summary>
    public Task FlushAsync() => _dispatcher.FlushAsync();

    /// <summary>Starts delivery if anything is queued; with no lock held.</summary>
    public void Schedule() => _dispatcher.Schedule();

    // ---- Queueing: under the lock that ordered the change; memory only ---------------------------------------------

    /// <summary>Queues SlotChanged with the slot's view now (under the slot's lock).</summary>
    public void QueueSlotChanged(Slot slot)
    {
        if (SlotChanged is null)
        {
            return;
        }

#if FAULT_INJECTION
        if (FaultInjection.Is(Fault.CallbackUnderLock))
        {
            Publish(new SlotChangedEventArgs(slot.ToView_NeedsLock())); // the injected bug: the handler runs under the slot's lock
            return;
        }
#endif

        _dispatcher.Enqueue(new SlotChangedEventArgs(slot.ToView_NeedsLock()));
    }

    /// <summary>Queues the fill and the round trip one input booked on a slot (under the slot's lock).</summary>
    public void QueueFill(Slot slot, in SlotEffects effects)
    {
        if (effects.HasFill && FillApplied is not null)
        {
            _dispatcher.Enqueue(new FillAppliedEventArgs
            {
                SlotPrice = slot.Price,
                ClientOrderId = effects.FillClientOrderId!,
                OrderId = effects.FillOrderId,
                Side = effects.FillSide,
                Role = effects.FillRole,
                Quantity = effects.FillQuantity,
                Notional = effects.FillNotional,
                Fee = effects.FillFee,
                FeeKind = effects.FillFeeCharge.Kind,
                FeeAsset = effects.FillFeeCharge.Asset,
                TradeId = effects.FillTradeId,
                RealizedPnl = effects.FillRealizedPnl,
                InventoryAfter = slot.Position.Inventory,
            });
        }

        if (effects.CompletedTrip is { } trip && RoundTripCompleted is not null)
        {
            _dispatcher.Enqueue(new RoundTripCompletedEventArgs
            {
                SlotPrice = slot.Price,
                Number = trip.Number,
                Quantity = trip.Quantity,
                EntryNotional = trip.EntryNotional,
                ExitNotional = trip.ExitNotional,
                Fees = trip.Fees,
                RealizedPnl = trip.RealizedPnl,
            });
        }
    }

    public void QueueTargetsChanged(decimal slotPrice, TargetChange change)
    {
        if (TargetsChanged is not null)
        {
            _dispatcher.Enqueue(new TargetsChangedEventArgs(slotPrice, change));
        }
    }

    /// <summary>Queues LeaseExpired (under the slot's lock, so it keeps its place among the slot's events).</summary>
    public void QueueLeaseExpired(decimal slotPrice, in Leases.LeaseState expired)
    {
        if (LeaseExpired is not null)
        {
            _dispatcher.Enqueue(new LeaseExpiredEventArgs(slotPrice, expired.Kind, expired.Token, expired.ExpiresAt));
        }
    }

    /// <summary>Queues InputRejected. Callers reach it only on the rejected path, so the hot path copies no input.</summary>
    public void QueueRejected(string reason, OrderUpdate? update, OrderActionResult? result)
    {
        if (InputRejected is not null)
        {
            _dispatcher.Enqueue(new InputRejectedEventArgs(reason, update, result));
        }
    }

    /// <summary>Queues UpdateExpired for each parked update that expired (under the slot book's lock).</summary>
    public void QueueExpired(List<ParkedEntry> expired)
    {
        if (UpdateExpired is null)
        {
            return;
        }

        foreach (ParkedEntry entry in expired)
        {
            _dispatcher.Enqueue(new UpdateExpiredEventArgs(entry.Update, entry.ParkedAt));
        }
    }

    // ---- Delivery: on the dispatcher's task, with no lock held ----------------------------------------------------

    private void Publish(PositionEventArgs e)
    {
        switch (e)
        {
            case SlotChangedEventArgs slotChanged:
                Invoke(SlotChanged, slotChanged);
                break;
            case FillAppliedEventArgs fill:
                Invoke(FillApplied, fill);
                break;
            case RoundTripCompletedEventArgs trip:
                Invoke(RoundTripCompleted, trip);
                break;
            case InputRejectedEventArgs rejected:
                Invoke(InputRejected, rejected);
                break;
            case UpdateExpiredEventArgs expired:
                Invoke(UpdateExpired, expired);
                break;
            case TargetsChangedEventArgs targets:
                Invoke(TargetsChanged, targets);
                break;
            case LeaseExpiredEventArgs expired:
                Invoke(LeaseExpired, expired);
                break;
        }
    }

    /// <summary>Calls each handler on its own, so one that throws (counted) does not starve the others.</summary>
    private void Invoke<T>(EventHandler<T>? handlers, T e)
        where T : PositionEventArgs
    {
        if (handlers is null)
        {
            return;
        }

        foreach (EventHandler<T> handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                handler(_sender, e);
            }
#pragma warning disable CA1031 // A subscriber's exception must not stop the other subscribers; it is counted (and logged) instead.
            catch (Exception exception)
            {
                _counters.Increment(Counter.SubscriberFailures);
                LogSubscriberFailure(exception, typeof(T).Name);
            }
#pragma warning restore CA1031
        }
    }

    /// <summary>On the event task, with no lock held. A logger that throws is ignored: the failure is already counted.</summary>
    private void LogSubscriberFailure(Exception exception, string eventName)
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            Telemetry.Log.SubscriberFailed(_log, exception, _symbol, eventName.Replace("EventArgs", "", StringComparison.Ordinal));
        }
#pragma warning disable CA1031 // A logger that throws must not stop the events behind it.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}
