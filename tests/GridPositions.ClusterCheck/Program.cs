using System.Diagnostics;
using System.Globalization;
using GridPositions;
using GridPositions.Server.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

// dotnet run --project tests/GridPositions.ClusterCheck -- SYMBOLS ROUNDS KILL_PID REDIS_PORT ADDRESS...
// Drives SYMBOLS grids through the servers at ADDRESS (each a silo of one cluster), ROUNDS round trips each, with
// duplicated and early updates; after a third of the traffic it SIGKILLs KILL_PID (one of the servers). Every call is
// retried on the next server until one answers (each is idempotent by the library's rules). At the end every grid's
// books must equal what the exchange filled: nothing lost, nothing doubled. Then a duplicate activation is forced on
// Redis: the first grid's journal record is written as a rival activation would (its ETag moves); the live
// activation's next write must be refused, and the round trip retried through a fresh activation books once.
int symbols = int.Parse(args[0], CultureInfo.InvariantCulture), rounds = int.Parse(args[1], CultureInfo.InvariantCulture);
int victim = int.Parse(args[2], CultureInfo.InvariantCulture), redisPort = int.Parse(args[3], CultureInfo.InvariantCulture);
PositionService.PositionServiceClient[] servers = [.. args[4..].Select(a => new PositionService.PositionServiceClient(GrpcChannel.ForAddress("http://" + a)))];
int retried = 0, completed = 0, killedAt = -1;
var clock = Stopwatch.StartNew();

async Task<T> Call<T>(int symbol, Func<PositionService.PositionServiceClient, Task<T>> call)
{
    for (int attempt = 0; ; attempt++)
    {
        try
        {
            return await call(servers[(symbol + attempt) % servers.Length]);
        }
        // Only what the service says is worth retrying (and a dead connection); INTERNAL would be a bug, and fails the check.
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && attempt < 400)
        {
            Interlocked.Increment(ref retried);
            await Task.Delay(100); // a dead silo's grains answer again once membership declares it dead
        }
    }
}

static string T(decimal d) => d.ToString(CultureInfo.InvariantCulture);
static decimal D(string s) => decimal.Parse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
ManagerRef Ref(int symbol) => new() { Account = "main", Symbol = $"C{symbol}USDT", Direction = GridDirection.Long };
CallOptions Deadline() => new(deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(10));

async Task RoundTrip(int symbol, int round)
{
    ManagerRef m = Ref(symbol);
    string buyId = $"B{symbol}-{round}", sellId = $"S{symbol}-{round}";
    ClaimSlotRequest Claim(OrderSide side, decimal price, string cid) => new() { Manager = m, Type = OrderActionType.Place, SlotPrice = "100", Side = side, Price = T(price), Quantity = "1", ClientOrderId = cid };
    OrderUpdateRequest Fill(string id, OrderStatus status, decimal q, decimal quote, decimal fee) => new() { Manager = m, OrderId = id, Status = status, CumulativeFilledQuantity = T(q), CumulativeQuoteQuantity = T(quote), CumulativeFee = T(fee) };
    async Task Place(ClaimSlotRequest claim, string orderId)
    {
        ClaimSlotReply reply = await Call(symbol, s => s.ClaimSlotAsync(claim, Deadline()).ResponseAsync);
        if (reply.Rejection != ClaimRejectionCode.None)
        {
            throw new InvalidOperationException($"{m.Symbol} round {round}: claim refused: {reply.Rejection} {reply.Detail}");
        }

        var results = new ApplyActionResultsRequest { Manager = m };
        results.Results.Add(new ActionResult { Action = reply.Action, Outcome = ActionOutcome.Succeeded, OrderId = orderId });
        await Call(symbol, s => s.ApplyActionResultsAsync(results, Deadline()).ResponseAsync);
    }

    OrderUpdateRequest bought = Fill(buyId, OrderStatus.Filled, 1m, 100m, 0.1m);
    if (round % 2 == 1)
    {
        await Call(symbol, s => s.OnOrderUpdateAsync(bought, Deadline()).ResponseAsync); // before its place result: parked
    }

    await Place(Claim(OrderSide.Buy, 100m, $"c{symbol}-b{round}"), buyId);
    foreach (OrderUpdateRequest u in new[] { Fill(buyId, OrderStatus.PartiallyFilled, 0.5m, 50m, 0.05m), bought, bought })
    {
        await Call(symbol, s => s.OnOrderUpdateAsync(u, Deadline()).ResponseAsync);
    }

    await Place(Claim(OrderSide.Sell, 110m, $"c{symbol}-s{round}"), sellId);
    OrderUpdateRequest sold = Fill(sellId, OrderStatus.Filled, 1m, 110m, 0.11m);
    await Call(symbol, s => s.OnOrderUpdateAsync(sold, Deadline()).ResponseAsync);
    await Call(symbol, s => s.OnOrderUpdateAsync(sold, Deadline()).ResponseAsync);
    if (Interlocked.Increment(ref completed) == symbols * rounds / 3)
    {
        killedAt = completed;
        Process.GetProcessById(victim).Kill(); // SIGKILL: no goodbye, no flush
    }
}

await Task.WhenAll(Enumerable.Range(0, symbols).Select(async symbol =>
{
    for (int round = 0; round < rounds; round++)
    {
        await RoundTrip(symbol, round);
    }
}));

// The forced duplicate activation: a rival's write of C0's journal (Orleans' Redis storage keeps the ETag in the hash).
// The next call is answered by the activation that was live (its write refused, then a fresh one) or, if the
// directory moved the grain meanwhile, by a fresh one at once; either is correct, but only the first shows the fence,
// so the experiment is repeated (each time a whole round trip, counted in the books) until it has.
int fenced = 0, extra = 0;
while (fenced == 0 && extra < 3)
{
    await Call(0, s => s.GetSlotsAsync(new GetSlotsRequest { Manager = Ref(0) }, Deadline()).ResponseAsync); // C0 is active
    int before = retried;
    using (Process rival = Process.Start(new ProcessStartInfo("redis-cli", ["-p", redisPort.ToString(CultureInfo.InvariantCulture), "HSET", "gridpositions/state/position/main/C0USDT/long/journal", "etag", "rival-" + Guid.NewGuid().ToString("N")]) { RedirectStandardOutput = true })!)
    {
        await rival.WaitForExitAsync();
    }

    await RoundTrip(0, rounds + extra);
    extra++;
    fenced = retried - before;
}

var wrong = new List<string>();
if (fenced == 0)
{
    wrong.Add("after a rival wrote C0's journal three times, no activation's write was ever refused: nothing fenced them");
}

for (int symbol = 0; symbol < symbols; symbol++)
{
    GetSlotsReply books = await Call(symbol, s => s.GetSlotsAsync(new GetSlotsRequest { Manager = Ref(symbol) }, Deadline()).ResponseAsync);
    (decimal inventory, decimal pnl, long trips) = (D(books.Totals.Inventory), D(books.Totals.RealizedPnl), books.Totals.RoundTrips);
    int filled = symbol == 0 ? rounds + extra : rounds; // C0 made one more round trip per fence experiment
    if ((inventory, pnl, trips) != (0m, filled * 9.79m, (long)filled))
    {
        wrong.Add($"C{symbol}USDT holds {inventory}, realised {pnl} over {trips} trips; the exchange filled {filled} trips for {filled * 9.79m}");
    }
}

if (killedAt < 0 || retried == 0)
{
    wrong.Add($"the kill did not reach the traffic (killed after {killedAt} round trips, {retried} calls retried): make SYMBOLS x ROUNDS larger");
}

Console.WriteLine(wrong.Count == 0
    ? $"cluster: PASS ({symbols} grids x {rounds} round trips through {servers.Length} silos on Redis, one SIGKILLed after {killedAt}; {retried} calls retried; a forced duplicate activation fenced ({fenced} calls refused until a fresh one answered); books equal the exchange's; {clock.Elapsed.TotalSeconds:F1} s)"
    : "cluster: FAILED\n  " + string.Join("\n  ", wrong));
return wrong.Count == 0 ? 0 : 1;
