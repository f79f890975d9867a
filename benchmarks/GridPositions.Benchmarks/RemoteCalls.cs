using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GridPositions.Orleans;
using GridPositions.Server;
using GridPositions.Server.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GridPositions.Benchmarks;

/// <summary>
/// One call, three ways, side by side in one run: the manager in process, a grain call in one silo (in this process),
/// and a gRPC call on loopback (Kestrel, HTTP/2, the in-process host); then updates per second through one gRPC client
/// stream. The call is a repeated fill report (booked once, then a duplicate: no journal write), so what differs
/// between the rows is the path to the manager, not the disk. Each row is read against the floor of the same run.
/// </summary>
public static class RemoteCalls
{
    private static readonly ManagerRef s_manager = new() { Account = "bench", Symbol = "BTCUSDT", Direction = GridDirection.Long };

    public static async Task RunAsync(int seconds)
    {
        TimeSpan duration = TimeSpan.FromSeconds(seconds);
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        Console.WriteLine($"One duplicate order update per call, one caller, {seconds} s per row; latency in microseconds.");
        Console.WriteLine();
        Console.WriteLine("| Path | Calls | p50 | p99 | max | calls/s | p50 x floor |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");

        var floor = new Floor(16);
        LongHistogram floorTimes = Time(duration, () => { floor.Touch(3); return Task.CompletedTask; }, out double floorRate);
        double floorP50 = Math.Max(1, floorTimes.GetValueAtPercentile(50));
        Console.WriteLine(Row("floor: a global lock, a lookup, a slot lock", floorTimes, floorRate, floorP50));

        // In process.
        var manager = new SuperPositionManager(Options());
        OrderUpdateRequest update = Prepare(manager);
        LongHistogram local = Time(duration, () => { ProtocolCalls.OnOrderUpdate(manager, update); return Task.CompletedTask; }, out double localRate);
        Console.WriteLine(Row("in process (the manager, through ProtocolCalls)", local, localRate, floorP50));

        // A grain in one silo, in this process, on file storage.
        string directory = Path.Combine(Path.GetTempPath(), "gp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using IHost silo = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error))
                .UseOrleans(builder => builder.UseLocalhostClustering(FreePort(), FreePort()).AddGridPositions(grains => grains.Add("bench", Options()), directory))
                .Build();
            await silo.StartAsync();
            IPositionGrain grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IPositionGrain>("bench/BTCUSDT/long");
            await PrepareAsync(grain);
            Message<OrderUpdateRequest> message = Message.Of(update);
            LongHistogram grainTimes = Time(duration, () => grain.OnOrderUpdate(message), out double grainRate);
            Console.WriteLine(Row("a grain call, one silo in process", grainTimes, grainRate, floorP50));
            await silo.StopAsync();
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        // gRPC on loopback, over the in-process host.
        int port = FreePort();
        WebApplication server = PositionServer.Build(
        [
            $"--urls=http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning",
            "--GridPositions:Managers:0:Account=bench", "--GridPositions:Managers:0:Options:Symbol=BTCUSDT",
            "--GridPositions:Managers:0:Options:TickSize=0.01", "--GridPositions:Managers:0:Options:QuantityStep=0.001",
        ]);
        await server.StartAsync();
        try
        {
            using GrpcChannel channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var client = new PositionService.PositionServiceClient(channel);
            await PrepareAsync(client);
            LongHistogram grpcTimes = Time(duration, () => client.OnOrderUpdateAsync(update).ResponseAsync, out double grpcRate);
            Console.WriteLine(Row("a gRPC call on loopback (HTTP/2, the in-process host)", grpcTimes, grpcRate, floorP50));

            // One client stream: the caller writes without waiting for each answer; the server applies them in order.
            using AsyncClientStreamingCall<OrderUpdateRequest, StreamOrderUpdatesReply> stream = client.StreamOrderUpdates();
            var clock = Stopwatch.StartNew();
            long sent = 0;
            while (clock.Elapsed < duration)
            {
                await stream.RequestStream.WriteAsync(update);
                sent++;
            }

            await stream.RequestStream.CompleteAsync();
            StreamOrderUpdatesReply reply = await stream;
            double rate = reply.Received / clock.Elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"One gRPC client stream: {reply.Received:N0} updates in {clock.Elapsed.TotalSeconds:F1} s, {rate:N0} updates/s (sent {sent:N0})."));
        }
        finally
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
    }

    private static PositionManagerOptions Options() => new() { Symbol = "BTCUSDT", TickSize = 0.01m, QuantityStep = 0.001m, ClientOrderIdPrefix = "bench" };

    /// <summary>A live order with a partial fill, and the fill report that is its duplicate from then on.</summary>
    private static OrderUpdateRequest Prepare(SuperPositionManager manager)
    {
        ClaimSlotReply claim = ProtocolCalls.ClaimSlot(manager, Claim());
        ProtocolCalls.ApplyActionResults(manager, Placed(claim));
        OrderUpdateRequest update = Update();
        ProtocolCalls.OnOrderUpdate(manager, update);
        return update;
    }

    private static async Task PrepareAsync(IPositionGrain grain)
    {
        ClaimSlotReply claim = (await grain.ClaimSlot(Message.Of(Claim()))).Value;
        await grain.ApplyActionResults(Message.Of(Placed(claim)));
        await grain.OnOrderUpdate(Message.Of(Update()));
    }

    private static async Task PrepareAsync(PositionService.PositionServiceClient client)
    {
        ClaimSlotReply claim = await client.ClaimSlotAsync(Claim());
        await client.ApplyActionResultsAsync(Placed(claim));
        await client.OnOrderUpdateAsync(Update());
    }

    private static ClaimSlotRequest Claim() => new() { Manager = s_manager, Type = OrderActionType.Place, SlotPrice = "100", Side = OrderSide.Buy, Price = "100", Quantity = "10" };

    private static ApplyActionResultsRequest Placed(ClaimSlotReply claim)
    {
        var results = new ApplyActionResultsRequest { Manager = s_manager };
        results.Results.Add(new ActionResult { Action = claim.Action, Outcome = ActionOutcome.Succeeded, OrderId = "B1" });
        return results;
    }

    private static OrderUpdateRequest Update() => new() { Manager = s_manager, OrderId = "B1", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = "1", CumulativeQuoteQuantity = "100" };

    /// <summary>Calls <paramref name="call"/> one at a time for <paramref name="duration"/> after a warm-up, every call timed.</summary>
    private static LongHistogram Time(TimeSpan duration, Func<Task> call, out double callsPerSecond)
    {
        for (int i = 0; i < 2_000; i++)
        {
            call().GetAwaiter().GetResult();
        }

        LongHistogram histogram = LatencyHarness.NewHistogram();
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < duration)
        {
            long start = Stopwatch.GetTimestamp();
            call().GetAwaiter().GetResult();
            histogram.RecordValue(LatencyHarness.Nanos(Stopwatch.GetTimestamp() - start));
            calls++;
        }

        callsPerSecond = calls / clock.Elapsed.TotalSeconds;
        return histogram;
    }

    private static string Row(string label, LongHistogram h, double rate, double floorP50) => string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {h.TotalCount:N0} | {h.GetValueAtPercentile(50) / 1000.0:F2} | {h.GetValueAtPercentile(99) / 1000.0:F2} | {h.GetMaxValue() / 1000.0:F1} | {rate:N0} | {h.GetValueAtPercentile(50) / floorP50:N0} |");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Throughput over 1, 2 and 3 silos (in process, file storage in one folder) for 1,000 grains: 64 callers send
/// duplicate updates to grains picked in turn. On a 2-core machine every silo shares the same two cores.
/// </summary>
public static class SiloScaling
{
    private const int Grains = 1_000;
    private const int Callers = 64;

    public static async Task RunAsync(int seconds)
    {
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores. {Grains:N0} grains, {Callers} callers, duplicate updates, {seconds} s per row.");
        Console.WriteLine();
        Console.WriteLine("| Silos | Calls | calls/s | p50 µs | p99 µs |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (short silos in new short[] { 1, 2, 3 })
        {
            string directory = Path.Combine(Path.GetTempPath(), "gp-silos-" + Guid.NewGuid().ToString("N"));
            var builder = new global::Orleans.TestingHost.TestClusterBuilder(silos);
            builder.Properties["GridPositionsStorage"] = directory;
            builder.AddSiloBuilderConfigurator<Silo>();
            builder.AddClientBuilderConfigurator<Client>();
            global::Orleans.TestingHost.TestCluster cluster = builder.Build();
            await cluster.DeployAsync();
            try
            {
                IPositionGrain[] grains = [.. Enumerable.Range(0, Grains).Select(i => cluster.Client.GetGrain<IPositionGrain>($"bench/G{i}USDT/long"))];
                Message<OrderUpdateRequest>[] updates = new Message<OrderUpdateRequest>[Grains];
                await Parallel.ForEachAsync(Enumerable.Range(0, Grains), new ParallelOptions { MaxDegreeOfParallelism = Callers }, async (i, _) => updates[i] = await Prepare(grains[i], i));

                LongHistogram histogram = LatencyHarness.NewHistogram();
                long calls = 0;
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(Enumerable.Range(0, Callers), async (caller, _) =>
                {
                    var mine = LatencyHarness.NewHistogram();
                    long n = 0;
                    for (int i = caller; clock.Elapsed.TotalSeconds < seconds; i = (i + Callers) % Grains)
                    {
                        long start = Stopwatch.GetTimestamp();
                        await grains[i].OnOrderUpdate(updates[i]);
                        mine.RecordValue(LatencyHarness.Nanos(Stopwatch.GetTimestamp() - start));
                        n++;
                    }

                    lock (histogram)
                    {
                        histogram.Add(mine);
                        calls += n;
                    }
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {silos} | {calls:N0} | {calls / clock.Elapsed.TotalSeconds:N0} | {histogram.GetValueAtPercentile(50) / 1000.0:F0} | {histogram.GetValueAtPercentile(99) / 1000.0:F0} |"));
            }
            finally
            {
                await cluster.StopAllSilosAsync();
                await cluster.DisposeAsync();
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }

    /// <summary>A live order with a partial fill in grain <paramref name="i"/>, and its fill report, a duplicate from then on.</summary>
    private static async Task<Message<OrderUpdateRequest>> Prepare(IPositionGrain grain, int i)
    {
        ClaimSlotReply claim = (await grain.ClaimSlot(Message.Of(new ClaimSlotRequest { Type = OrderActionType.Place, SlotPrice = "100", Side = OrderSide.Buy, Price = "100", Quantity = "10" }))).Value;
        var results = new ApplyActionResultsRequest();
        results.Results.Add(new ActionResult { Action = claim.Action, Outcome = ActionOutcome.Succeeded, OrderId = $"B{i}" });
        await grain.ApplyActionResults(Message.Of(results));
        Message<OrderUpdateRequest> update = Message.Of(new OrderUpdateRequest { OrderId = $"B{i}", Status = OrderStatus.PartiallyFilled, CumulativeFilledQuantity = "1", CumulativeQuoteQuantity = "100" });
        await grain.OnOrderUpdate(update);
        return update;
    }

    private sealed class Silo : global::Orleans.TestingHost.ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddGridPositions(grains =>
            {
                for (int i = 0; i < Grains; i++)
                {
                    grains.Add("bench", new PositionManagerOptions { Symbol = $"G{i}USDT", TickSize = 0.01m, QuantityStep = 0.001m, ClientOrderIdPrefix = $"g{i}" });
                }
            }, siloBuilder.Configuration["GridPositionsStorage"]);
    }

    private sealed class Client : global::Orleans.TestingHost.IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddGridPositions();
    }
}
