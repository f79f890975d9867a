using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace GridPositions.Events;

/// <summary>
/// The manager's events as one asynchronous stream: a subscription to all six, written into a bounded channel by the
/// dispatcher (which never waits on a slow reader) and read by the consumer.
/// </summary>
internal static class EventStream
{
    public static async IAsyncEnumerable<PositionEventArgs> Read(EventSink sink, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<PositionEventArgs>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        void Write(object? sender, PositionEventArgs e)
        {
            // A reader that fell this far behind is told so, after what it was given: nothing is dropped silently.
            if (!channel.Writer.TryWrite(e))
            {
                channel.Writer.TryComplete(new InvalidOperationException($"The event stream's reader fell more than {capacity} events behind; read faster or with a larger capacity, and resynchronize from GetSlots()."));
            }
        }

        void Complete() => channel.Writer.TryComplete();
        EventHandler<SlotChangedEventArgs> slotChanged = Write;
        EventHandler<FillAppliedEventArgs> fillApplied = Write;
        EventHandler<RoundTripCompletedEventArgs> roundTrip = Write;
        EventHandler<TargetsChangedEventArgs> targets = Write;
        EventHandler<InputRejectedEventArgs> rejected = Write;
        EventHandler<UpdateExpiredEventArgs> expired = Write;
        EventHandler<LeaseExpiredEventArgs> leaseExpired = Write;
        sink.SlotChanged += slotChanged;
        sink.FillApplied += fillApplied;
        sink.RoundTripCompleted += roundTrip;
        sink.TargetsChanged += targets;
        sink.InputRejected += rejected;
        sink.UpdateExpired += expired;
        sink.LeaseExpired += leaseExpired;
        sink.Closed += Complete;
        if (sink.IsClosed)
        {
            Complete(); // closed before this stream subscribed (subscribing first, then checking, misses no close)
        }

        try
        {
            await foreach (PositionEventArgs e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            sink.SlotChanged -= slotChanged;
            sink.FillApplied -= fillApplied;
            sink.RoundTripCompleted -= roundTrip;
            sink.TargetsChanged -= targets;
            sink.InputRejected -= rejected;
            sink.UpdateExpired -= expired;
            sink.LeaseExpired -= leaseExpired;
            sink.Closed -= Complete;
        }
    }
}
