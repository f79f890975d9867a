using Microsoft.Extensions.Logging;

namespace GridPositions.Hosting;

/// <summary>The host's log messages (category <c>GridPositions.PositionHost</c>), source-generated; the host holds no lock.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Key}: opened: {Slots} slots, {Inventory} held, {Parked} updates parked")]
    public static partial void ManagerOpened(ILogger logger, string key, int slots, decimal inventory, int parked);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Host stopped: {Ended} of {Managers} managers flushed, checkpointed and ended cleanly")]
    public static partial void Stopped(ILogger logger, int managers, int ended);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "Cleaning up after a failed open, {What} could not be released")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "An update for order {OrderId} (client id {ClientOrderId}) was not routed: {Refusal}")]
    public static partial void Unroutable(ILogger logger, RouteRefusal refusal, string? orderId, string? clientOrderId);
}
