namespace GridPositions.Tests;

/// <summary>The events as one asynchronous stream: in publication order, never with a silent gap, ended by disposal.</summary>
public class EventStreamTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheStream_CarriesEveryEventInPublicationOrder_AndEndsWhenTheManagerIsDisposed()
    {
        var grid = new TestGrid();
        var seen = new List<PositionEventArgs>();
        var subscribed = new TaskCompletionSource();
        Task reader = Task.Run(async () =>
        {
            await using IAsyncEnumerator<PositionEventArgs> events = grid.Manager.ReadEventsAsync().GetAsyncEnumerator();
            ValueTask<bool> first = events.MoveNextAsync(); // subscribes, then waits for the first event
            subscribed.SetResult();
            for (bool more = await first; more; more = await events.MoveNextAsync())
            {
                seen.Add(events.Current);
            }
        });
        await subscribed.Task.WaitAsync(s_patience);

        (OrderAction action, string orderId) = grid.OpenFilled(100m, 2m);
        grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "nobody", Status = OrderStatus.New }); // parked: no event
        await grid.Manager.DisposeAsync();
        await reader.WaitAsync(s_patience); // the stream ended by itself

        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Select(e => e.Sequence));
        Assert.Contains(seen, e => e is FillAppliedEventArgs { Quantity: 2m } fill && fill.OrderId == orderId && fill.ClientOrderId == action.ClientOrderId);
        Assert.False(grid.Manager.Events.HasHandlers(nameof(SuperPositionManager.SlotChanged))); // unsubscribed at the end

        // A stream begun after disposal has nothing to wait for: it ends at once.
        await using IAsyncEnumerator<PositionEventArgs> late = grid.Manager.ReadEventsAsync().GetAsyncEnumerator();
        Assert.False(await late.MoveNextAsync().AsTask().WaitAsync(s_patience));
    }

    [Fact]
    public async Task AReaderFallingBehind_GetsWhatWasBuffered_ThenAnError_NeverASilentGap()
    {
        var grid = new TestGrid();
        await using IAsyncEnumerator<PositionEventArgs> events = grid.Manager.ReadEventsAsync(capacity: 2).GetAsyncEnumerator();
        ValueTask<bool> first = events.MoveNextAsync();

        grid.OpenFilled(100m); // claim, place, fill: more events than the stream holds while nobody reads
        grid.OpenFilled(101m);
        await grid.Manager.FlushEventsAsync();

        Assert.True(await first);
        var read = new List<long> { events.Current.Sequence };
        Task drain = Task.Run(async () =>
        {
            while (await events.MoveNextAsync())
            {
                read.Add(events.Current.Sequence);
            }
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => drain.WaitAsync(s_patience)); // a silent drop would wait forever: a timeout
        Assert.Contains("fell more than 2 events behind", error.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, read.Count).Select(i => (long)i), read); // what it got has no gap
    }

    [Fact]
    public async Task CancellingTheRead_Unsubscribes_AndABadCapacityIsRefusedByName()
    {
        var grid = new TestGrid();
        using var cancel = new CancellationTokenSource();
        IAsyncEnumerator<PositionEventArgs> events = grid.Manager.ReadEventsAsync(cancellationToken: cancel.Token).GetAsyncEnumerator();
        ValueTask<bool> pending = events.MoveNextAsync();
        Assert.True(grid.Manager.Events.HasHandlers(nameof(SuperPositionManager.FillApplied)));

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await events.DisposeAsync();

        Assert.False(grid.Manager.Events.HasHandlers(nameof(SuperPositionManager.FillApplied)));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => grid.Manager.ReadEventsAsync(capacity: 0));
        Assert.Equal("capacity", error.ParamName);
    }
}
