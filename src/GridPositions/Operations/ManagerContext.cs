using GridPositions.Diagnostics;
using GridPositions.Slots;
using Microsoft.Extensions.Logging;

namespace GridPositions.Operations;

/// <summary>
/// What every rule of one manager reads and never changes: its options, grid, clock and direction, plus the counters
/// and the logger (each thread-safe on its own). It holds no state of its own and no lock.
/// </summary>
internal sealed class ManagerContext
{
    public ManagerContext(PositionManagerOptions settings, TimeProvider time, ILogger? log)
    {
        Settings = settings;
        Time = time;
        Log = log;
        Grid = new PriceGrid(settings.TickSize, settings.QuantityStep);
        Sign = settings.Direction == GridDirection.Long ? 1 : -1;
        FeeAssets = new Fills.FeeAssets(settings.BaseAsset, settings.QuoteAsset);
        OpeningSide = settings.Direction == GridDirection.Long ? OrderSide.Buy : OrderSide.Sell;
    }

    /// <summary>The manager's own copy of its options, never changed.</summary>
    public PositionManagerOptions Settings { get; }

    public TimeProvider Time { get; }

    /// <summary>Tells a fee's asset apart: base, quote or another.</summary>
    public Fills.FeeAssets FeeAssets { get; }

    public PriceGrid Grid { get; }

    public CounterSet Counters { get; } = new();

    /// <summary>Findings by kind and journal flush times, for the instruments.</summary>
    public Telemetry.Measurements Measurements { get; } = new();

    /// <summary>Null without a logger factory: the few places that log outside events test it.</summary>
    public ILogger? Log { get; }

    /// <summary>+1 for a long grid, -1 for a short one: the sign of (exit - entry) in realised profit.</summary>
    public int Sign { get; }

    /// <summary>The side that opens a slot's position: buy for a long grid, sell for a short one.</summary>
    public OrderSide OpeningSide { get; }

    public OrderSide ClosingSide => OpeningSide == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    public OrderRole RoleOf(OrderSide side) => side == OpeningSide ? OrderRole.Open : OrderRole.Close;

    /// <summary>The position side of every order of this manager: its direction's in hedge mode, otherwise both.</summary>
    public PositionSide PositionSide => !Settings.HedgeMode ? PositionSide.Both : Sign == 1 ? PositionSide.Long : PositionSide.Short;

    /// <summary>A new place carrying its intent: its role, reduce-only exactly when it closes, and this manager's position side.</summary>
    public OrderAction WithIntent(in OrderAction place, OrderRole role, bool postOnly = false, TimeInForce timeInForce = TimeInForce.Unspecified) => place with
    {
        Role = role,
        ReduceOnly = role == OrderRole.Close,
        PostOnly = postOnly,
        TimeInForce = timeInForce,
        PositionSide = PositionSide,
    };

    /// <summary>Fees are booked from trades, not cumulative reports (<see cref="PositionManagerOptions.FeesPerTrade"/>).</summary>
    public bool FeesPerTrade => Settings.FeesPerTrade;

    public DateTimeOffset Now => Time.GetUtcNow();
}
