using GridPositions.Server.Protocol;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace GridPositions.Orleans.Tests;

/// <summary>An in-process Orleans cluster whose silos keep the position grains' state in one shared folder (the embedded file storage).</summary>
internal static class Cluster
{
    public const int Symbols = 12;

    public static string KeyOf(int symbol) => $"main/S{symbol}USDT/long";

    public static PositionManagerOptions OptionsOf(int symbol) => new() { Symbol = $"S{symbol}USDT", TickSize = 0.01m, QuantityStep = 0.001m, ClientOrderIdPrefix = $"s{symbol}" };

    public static async Task<TestCluster> StartAsync(string directory, short silos = 1)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Properties["GridPositionsStorage"] = directory;
        builder.AddSiloBuilderConfigurator<Silo>();
        builder.AddClientBuilderConfigurator<Client>();
        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static IPositionGrain Grain(this TestCluster cluster, int symbol) => cluster.Client.GetGrain<IPositionGrain>(KeyOf(symbol));

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddGridPositions(grains =>
            {
                for (int i = 0; i < Symbols; i++)
                {
                    grains.Add("main", OptionsOf(i));
                }

                grains.CheckpointEvery = 16; // checkpoints happen within the tests, across kills
            }, siloBuilder.Configuration["GridPositionsStorage"]);

            siloBuilder.WithFastFailover(); // a dead silo is declared dead within seconds
        }
    }

    private sealed class Client : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.AddGridPositions();
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
