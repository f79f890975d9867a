using System.Diagnostics.Metrics;
using GridPositions;
using GridPositions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PositionHost"/> of many managers with a service collection and its health checks.</summary>
public static class GridPositionsHostServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="PositionHost"/> (singleton, built with the container's <see cref="TimeProvider"/>,
    /// <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/> when registered), the <see cref="PositionHostService"/>
    /// that opens it at start and ends it at stop, and each manager as a keyed singleton under its
    /// <see cref="ManagerKey"/> and under the key's text (<c>account/SYMBOL/long</c>); resolving one before start (a
    /// service that takes it in its constructor) opens the host then.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddGridPositionsHost(host => host
    ///     .Add("main", new PositionManagerOptions { Symbol = "BTCUSDT", TickSize = 0.1m, QuantityStep = 0.001m, ClientOrderIdPrefix = "btc" })
    ///     .StoreDirectory = "/var/lib/bot/positions");
    /// // later: provider.GetRequiredKeyedService&lt;SuperPositionManager&gt;("main/BTCUSDT/long")
    /// </code>
    /// </example>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds the managers and says where their stores are; run once, now, since the keys are registered now.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The host's options are invalid (the message names what).</exception>
    /// <exception cref="InvalidOperationException">A host was registered already.</exception>
    public static IServiceCollection AddGridPositionsHost(this IServiceCollection services, Action<PositionHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(PositionHostOptions)))
        {
            throw new InvalidOperationException("A GridPositions host is already registered; one host holds every manager (add them all in one AddGridPositionsHost).");
        }

        var options = new PositionHostOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(provider => new PositionHost(
            options,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>()));
        services.AddHostedService<PositionHostService>();
        foreach (ManagerKey key in options.Managers.Keys)
        {
            services.AddKeyedSingleton(key, (provider, _) => Opened(provider)[key]);
            services.AddKeyedSingleton(key.ToString(), (provider, _) => Opened(provider)[key]);
        }

        return services;
    }

    /// <summary>
    /// Adds one <see cref="GridPositionsHealthCheck"/> per manager of the registered host, named
    /// <c>gridpositions:account/SYMBOL/long</c> and tagged <c>gridpositions</c>; a manager of a host not yet open is unhealthy.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="AddGridPositionsHost(IServiceCollection, Action{PositionHostOptions})"/> was not called before.</exception>
    public static IHealthChecksBuilder AddGridPositionsHost(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.FirstOrDefault(d => d.ServiceType == typeof(PositionHostOptions))?.ImplementationInstance as PositionHostOptions
            ?? throw new InvalidOperationException("Register the host first: services.AddGridPositionsHost(...).");
        foreach (ManagerKey key in options.Managers.Keys)
        {
            builder.Add(new HealthCheckRegistration(
                $"gridpositions:{key}",
                provider => new HostedManagerHealthCheck(provider.GetRequiredService<PositionHost>(), key),
                failureStatus: null,
                tags: ["gridpositions"]));
        }

        return builder;
    }

    /// <summary>The registered host, opened (recovered) now if a service needs a manager before the hosted service starts.</summary>
    private static PositionHost Opened(IServiceProvider provider)
    {
        PositionHost host = provider.GetRequiredService<PositionHost>();
        host.EnsureOpen();
        return host;
    }

    /// <summary>One host manager's health, looked up at each check so a host opened after registration is seen.</summary>
    private sealed class HostedManagerHealthCheck(PositionHost host, ManagerKey key) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            SuperPositionManager? manager = null;
            try
            {
                _ = host.IsOpen && host.TryGet(key, out manager);
            }
            catch (InvalidOperationException)
            {
                // disposed between the two reads: not open
            }

            return manager is not null
                ? new GridPositionsHealthCheck(manager).CheckHealthAsync(context, cancellationToken)
                : Task.FromResult(HealthCheckResult.Unhealthy($"{key}: the host is not open.", data: new Dictionary<string, object> { ["key"] = key.ToString() }));
        }
    }
}
