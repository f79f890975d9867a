using System.Diagnostics.Metrics;
using GridPositions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GridPositions with a service collection.</summary>
public static class GridPositionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="SuperPositionManager"/> built from <see cref="PositionManagerOptions"/>, with
    /// the container's <see cref="TimeProvider"/> (or the system clock), <see cref="ILoggerFactory"/> and
    /// <see cref="IMeterFactory"/> when registered. Options are validated when the manager is first resolved, or at
    /// start-up with <c>ValidateOnStart()</c>.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddGridPositions().BindConfiguration("GridPositions").ValidateOnStart();
    /// services.AddGridPositions(o => { o.Symbol = "BTCUSDT"; o.TickSize = 0.1m; o.QuantityStep = 0.001m; });
    /// </code>
    /// </example>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; may be combined with configuration binding on the returned builder.</param>
    /// <returns>The options builder, to bind configuration or add validation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static OptionsBuilder<PositionManagerOptions> AddGridPositions(this IServiceCollection services, Action<PositionManagerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<PositionManagerOptions> options = services.AddOptions<PositionManagerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PositionManagerOptions>, PositionManagerOptionsValidator>());
        services.TryAddSingleton(provider => new SuperPositionManager(
            provider.GetRequiredService<IOptions<PositionManagerOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>()));
        return options;
    }

    /// <summary>Runs the manager's own validation, so a bad option fails with the message the constructor would give.</summary>
    private sealed class PositionManagerOptionsValidator : IValidateOptions<PositionManagerOptions>
    {
        public ValidateOptionsResult Validate(string? name, PositionManagerOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
