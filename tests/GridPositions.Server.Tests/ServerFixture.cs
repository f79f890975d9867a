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

    private ServerFixture(WebApplication app)
    {
        _app = app;
        TestServer server = app.GetTestServer();
        _channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
        Client = new PositionService.PositionServiceClient(_channel);
    }

    public PositionService.PositionServiceClient Client { get; }

    public static async Task<ServerFixture> StartAsync(string? storeDirectory = null)
    {
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

        WebApplication app = PositionServer.Build([.. args], builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new ServerFixture(app);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
