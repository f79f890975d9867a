using GridPositions.Server.Protocol;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace GridPositions.Server.Tests;

/// <summary>The server built as the command line builds it (configuration names the managers), on an in-memory transport, with a real gRPC client.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public static readonly ManagerRef Btc = new() { Account = "main", Symbol = "BTCUSDT", Direction = GridDirection.Long };

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private readonly string? _clusterDirectory;

    private ServerFixture(WebApplication app, string? clusterDirectory)
    {
        (_app, _clusterDirectory) = (app, clusterDirectory);
        TestServer server = app.GetTestServer();
        _channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
        Client = new PositionService.PositionServiceClient(_channel);
    }

    public PositionService.PositionServiceClient Client { get; }

    /// <summary>A server over the in-process host, or <paramref name="clustered"/>, one whose managers are the grains of its own silo (files in a folder of its own, deleted at the end; localhost clustering).</summary>
    public static async Task<ServerFixture> StartAsync(string? storeDirectory = null, bool clustered = false)
    {
        string? clusterDirectory = clustered ? Path.Combine(Path.GetTempPath(), "gp-server-cluster-" + Guid.NewGuid().ToString("N")) : null;
        List<string> args =
        [
            "--GridPositions:Managers:0:Account=main",
            "--GridPositions:Managers:0:Options:Symbol=BTCUSDT",
            "--GridPositions:Managers:0:Options:TickSize=0.01",
            "--GridPositions:Managers:0:Options:QuantityStep=0.001",
            "--GridPositions:Managers:0:Options:ClientOrderIdPrefix=btc",
        ];
        if (storeDirectory is not null)
        {
            args.Add("--GridPositions:StoreDirectory=" + storeDirectory);
        }

        if (clusterDirectory is not null)
        {
            args.Add("--GridPositions:Cluster:Directory=" + clusterDirectory);
            args.Add("--GridPositions:Cluster:SiloPort=" + FreePort());
            args.Add("--GridPositions:Cluster:GatewayPort=" + FreePort());
        }

        WebApplication app = PositionServer.Build([.. args], builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new ServerFixture(app, clusterDirectory);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_clusterDirectory is not null && Directory.Exists(_clusterDirectory))
        {
            Directory.Delete(_clusterDirectory, recursive: true);
        }
    }
}
