using System.Net;
using GridPositions.Orleans;
using Orleans.Configuration;
using StackExchange.Redis;

namespace GridPositions.Server;

/// <summary>The silo a clustered server runs: its managers as position grains, membership and storage in Redis or, embedded, on localhost and in files.</summary>
internal static class ClusterSilo
{
    public static void Configure(ISiloBuilder silo, ServerSettings settings)
    {
        ClusterSettings cluster = settings.Cluster;
        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("gridpositions", "gridpositions"));
        silo.AddGridPositions(grains =>
        {
            foreach (ServedManager manager in settings.Managers)
            {
                grains.Add(manager.Account, manager.Options);
            }
        }, string.IsNullOrEmpty(cluster.Redis) ? cluster.Directory : null);

        if (!string.IsNullOrEmpty(cluster.Redis))
        {
            ConfigurationOptions redis = ConfigurationOptions.Parse(cluster.Redis);
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort);
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
            silo.AddRedisGrainStorage(PositionGrainOptions.StorageName, o => o.ConfigurationOptions = redis); // writes fenced by its ETag
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
        }

        if (cluster.FastFailover)
        {
            silo.WithFastFailover();
        }
    }
}
