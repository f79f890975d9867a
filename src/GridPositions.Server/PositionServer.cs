using GridPositions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GridPositions.Server;

/// <summary>One manager the server hosts, as configuration names it (<c>GridPositions:Managers:0:Account</c>, <c>...:Options:Symbol</c>).</summary>
public sealed class ServedManager
{
    /// <summary>The account it trades for: with the symbol and direction of <see cref="Options"/>, its key.</summary>
    public string Account { get; set; } = "";

    /// <summary>Its options, bound from configuration like any <see cref="PositionManagerOptions"/>.</summary>
    public PositionManagerOptions Options { get; set; } = new();
}

/// <summary>What the server hosts (the <c>GridPositions</c> configuration section).</summary>
public sealed class ServerSettings
{
    /// <summary>The root folder of the managers' stores; empty: in memory only (nothing survives a restart).</summary>
    public string? StoreDirectory { get; set; }

    /// <summary>How durable a change is when a call returns (with a store).</summary>
    public Durability Durability { get; set; } = Durability.GroupCommit;

    /// <summary>The managers, one per (account, symbol, direction).</summary>
    public List<ServedManager> Managers { get; } = [];

    /// <summary>Set to serve the managers as grains of an Orleans cluster this server joins as a silo.</summary>
    public ClusterSettings Cluster { get; } = new();
}

/// <summary>The Orleans cluster the server's silo joins (the <c>GridPositions:Cluster</c> section).</summary>
public sealed class ClusterSettings
{
    /// <summary>A Redis connection string: membership and grain storage in Redis (run it with <c>appendfsync always</c>).</summary>
    public string? Redis { get; set; }

    /// <summary>A folder for grain storage with localhost clustering: one silo, nothing installed (the embedded default).</summary>
    public string? Directory { get; set; }

    /// <summary>The address other silos reach this one at (with Redis): loopback for one machine, the host's own address across machines.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients connect to the silo on.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Declare a silo dead within seconds (tests and demos); the production defaults take tens of seconds.</summary>
    public bool FastFailover { get; set; }

    /// <summary>Whether a cluster is configured.</summary>
    public bool IsSet => !string.IsNullOrEmpty(Redis) || !string.IsNullOrEmpty(Directory);
}

/// <summary>Builds the gRPC server: a <see cref="PositionHost"/> registered with DI (opened at start, flushed and checkpointed at stop) behind <see cref="PositionGrpcService"/>.</summary>
public static class PositionServer
{
    /// <summary>The server's application, from command-line arguments and configuration (<c>--urls</c>, <c>--GridPositions:...</c>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="configure">Changes to the builder before it is built (tests use it for an in-memory server).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        var settings = new ServerSettings();
        builder.Configuration.GetSection("GridPositions").Bind(settings);
        if (settings.Cluster.IsSet)
        {
            builder.UseOrleans(silo => ClusterSilo.Configure(silo, settings));
            builder.Services.AddSingleton<IPositionBackend, ClusterBackend>();
        }
        else
        {
            builder.Services.AddGridPositionsHost(host =>
            {
                host.StoreDirectory = string.IsNullOrEmpty(settings.StoreDirectory) ? null : settings.StoreDirectory;
                host.Durability = settings.Durability;
                foreach (ServedManager manager in settings.Managers)
                {
                    host.Add(manager.Account, manager.Options);
                }
            });
            builder.Services.AddSingleton<IPositionBackend>(provider => new HostBackend(provider.GetRequiredService<Hosting.PositionHost>()));
        }

        builder.Services.AddGrpc();

        // gRPC without TLS on a trusted network or loopback: HTTP/2 only (h2c), which every gRPC client speaks.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapGrpcService<PositionGrpcService>();
        return app;
    }
}
