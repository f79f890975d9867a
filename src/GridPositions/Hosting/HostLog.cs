using Microsoft.Extensions.Logging;

namespace GridPositions.Hosting;

/// <summary>The host's log messages (category <c>GridPositions.PositionHost</c>), source-generated; the host holds no lock.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Key}: opened: {Slots} slots, {Inventory} held, {Parked} updates parked")]
    public static partial void ManagerOpened(ILogger logger, string key, int slots, decimal inventory, int parked);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Host stopped: {Ended} of {Managers} managers flushed, checkpointed and ended cleanly")]
    public static partial void Stopped(ILogger logger, int managers, int ended);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "An update for order {OrderId} (client id {ClientOrderId}) was not routed: {Refusal}")]
    public static partial void Unroutable(ILogger logger, RouteRefusal refusal, string? orderId, string? clientOrderId);
}
