using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;

namespace GridPositions.Orleans;

/// <summary>Registers the position grains on a silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Adds the position grains' managers and, with <paramref name="storageDirectory"/>, their state in files there
    /// (<see cref="FileGrainStorage"/>, the embedded default). Without it, register grain storage named
    /// <see cref="PositionGrainOptions.StorageName"/> yourself (Redis, ADO.NET).
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="configure">Adds the managers.</param>
    /// <param name="storageDirectory">A folder for the grains' state, shared by every silo that hosts them; null: storage registered elsewhere.</param>
    public static ISiloBuilder AddGridPositions(this ISiloBuilder silo, Action<PositionGrainOptions> configure, string? storageDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configure);
        silo.Services.Configure(configure);
        AllowProtocol(silo.Services);
        if (storageDirectory is not null)
        {
            silo.Services.AddGrainStorage(PositionGrainOptions.StorageName, (provider, _) => new FileGrainStorage(storageDirectory, provider.GetRequiredService<Serializer>()));
        }

        return silo;
    }

    /// <summary>
    /// Declares a dead silo dead within seconds rather than the production defaults' tens of seconds, for tests and
    /// demos (and a cluster that prefers quick failover to fewer false suspicions; the ETag fence keeps either safe).
    /// </summary>
    /// <param name="silo">The silo.</param>
    public static ISiloBuilder WithFastFailover(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        return silo;
    }

    /// <summary>Lets a cluster client call the position grains: their calls carry the service's message types.</summary>
    /// <param name="client">The client.</param>
    public static IClientBuilder AddGridPositions(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        AllowProtocol(client.Services);
        return client;
    }

    /// <summary>The grains' calls name the protocol's messages (as <see cref="Message{T}"/>'s argument): allowed by assembly.</summary>
    private static void AllowProtocol(IServiceCollection services) =>
        services.Configure<TypeManifestOptions>(o =>
        {
            o.AddAllowedAssembly(typeof(Server.Protocol.ClaimSlotReply).Assembly);
            o.AddAllowedAssembly(typeof(Wire.PositionManagerSnapshot).Assembly);
        });
}
