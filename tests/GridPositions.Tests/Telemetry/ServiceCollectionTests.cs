using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GridPositions.Tests.Telemetry;

/// <summary>AddGridPositions: options from code or configuration, validated, and the container's clock and logging used.</summary>
public class ServiceCollectionTests
{
    [Fact]
    public void AddGridPositions_RegistersOneManager_BuiltFromTheConfiguredOptions()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddGridPositions(o => { o.Symbol = "ETHUSDT"; o.TickSize = 0.01m; o.QuantityStep = 0.001m; o.Direction = GridDirection.Short; })
            .Services.BuildServiceProvider();

        var manager = provider.GetRequiredService<SuperPositionManager>();

        Assert.Same(manager, provider.GetRequiredService<SuperPositionManager>());
        Assert.Equal("ETHUSDT", manager.Options.Symbol);
        Assert.Equal(OrderSide.Sell, manager.OpeningSide);
    }

    [Fact]
    public void Options_BindFromConfiguration_DecimalsAndEnumsIncluded()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GridPositions:Symbol"] = "BTCUSDT",
            ["GridPositions:TickSize"] = "0.1",
            ["GridPositions:QuantityStep"] = "0.001",
            ["GridPositions:Direction"] = "Short",
            ["GridPositions:ParkedUpdateTimeToLive"] = "00:01:00",
        }).Build();
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton(configuration)
            .AddGridPositions().BindConfiguration("GridPositions")
            .Services.BuildServiceProvider();

        PositionManagerOptions options = provider.GetRequiredService<SuperPositionManager>().Options;

        Assert.Equal(("BTCUSDT", 0.1m, 0.001m, GridDirection.Short, TimeSpan.FromMinutes(1)),
            (options.Symbol, options.TickSize, options.QuantityStep, options.Direction, options.ParkedUpdateTimeToLive));
    }

    [Fact]
    public void InvalidOptions_FailResolution_WithTheManagersOwnMessage()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddGridPositions(o => { o.Symbol = "BTCUSDT"; o.TickSize = 0m; o.QuantityStep = 1m; })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<SuperPositionManager>());

        Assert.Contains("TickSize must be positive; got 0.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheContainersClockAndLoggerFactory_AreTheManagers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var log = new RecordingLoggerFactory();
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ILoggerFactory>(log)
            .AddGridPositions(o => { o.Symbol = "BTCUSDT"; o.TickSize = 1m; o.QuantityStep = 1m; })
            .Services.BuildServiceProvider();

        var manager = provider.GetRequiredService<SuperPositionManager>();

        Assert.Equal(clock.GetUtcNow(), manager.BeginReconciliation().StartedAt);
        Assert.Equal(["GridPositions.SuperPositionManager"], log.Categories);
    }

    [Fact]
    public void AddGridPositions_RefusesANullCollection()
    {
        var error = Assert.Throws<ArgumentNullException>(() => GridPositionsServiceCollectionExtensions.AddGridPositions(null!));
        Assert.Equal("services", error.ParamName);
    }
}
