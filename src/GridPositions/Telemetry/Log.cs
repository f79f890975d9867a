using Microsoft.Extensions.Logging;

namespace GridPositions.Telemetry;

/// <summary>
/// The manager's log messages, source-generated. Every one is written after the manager's locks are released: from
/// the event task for what the manager publishes as events, and at the end of the public call for the rest.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Symbol}: input rejected: {Reason}")]
    public static partial void InputRejected(ILogger logger, string symbol, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Symbol}: an update for order {OrderId} (client id {ClientOrderId}), parked at {ParkedAt:O}, never found its order and was dropped")]
    public static partial void UpdateExpired(ILogger logger, string symbol, string? orderId, string? clientOrderId, DateTimeOffset parkedAt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Symbol}: order {OrderId} went live for slot {SlotPrice}, which no longer wanted it; cancel it")]
    public static partial void OrphanedOrder(ILogger logger, string symbol, string? orderId, decimal slotPrice);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Symbol}: a {EventName} subscriber threw; the other subscribers still ran")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception, string symbol, string eventName);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Symbol}: round trip {Number} at {SlotPrice} closed {Quantity}, realised {RealizedPnl}")]
    public static partial void RoundTripCompleted(ILogger logger, string symbol, long number, decimal slotPrice, decimal quantity, decimal realizedPnl);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "{Symbol}: fill of {Quantity} on order {ClientOrderId} at slot {SlotPrice}; inventory now {Inventory}")]
    public static partial void FillApplied(ILogger logger, string symbol, decimal quantity, string clientOrderId, decimal slotPrice, decimal inventory);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Symbol}: targets of slot {SlotPrice} changed: stop-loss {StopLoss}, take-profit {TakeProfit} ({Reason})")]
    public static partial void TargetsChanged(ILogger logger, string symbol, decimal slotPrice, decimal? stopLoss, decimal? takeProfit, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "{Symbol}: reconciliation found {Findings} findings ({Summary}); {Cancels} cancels to issue, {Queries} orders to query")]
    public static partial void Reconciled(ILogger logger, string symbol, int findings, string summary, int cancels, int queries);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "{Symbol}: the exchange's position differs from the slots' by {Drift}")]
    public static partial void PositionDrift(ILogger logger, string symbol, decimal drift);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Symbol}: opened from a {Durability} store: {Slots} slots, {Inventory} held, {Parked} updates parked")]
    public static partial void Opened(ILogger logger, string symbol, Durability durability, int slots, decimal inventory, int parked);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Symbol}: recovery cut a torn last journal record off {File} at offset {Offset} ({Bytes} bytes): a crash mid-write; nothing acknowledged was in it")]
    public static partial void TornTailCut(ILogger logger, string symbol, string file, long offset, long bytes);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{Symbol}: {Claims} claims had no result at recovery; they are Unknown (places) or Live again (cancels) until reconciliation settles them")]
    public static partial void ClaimsLapsedAtRecovery(ILogger logger, string symbol, int claims);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "{Symbol}: the journal could not be written (durable up to sequence {Durable}); every change that needs durability is refused until the manager is reopened from its store")]
    public static partial void JournalFailed(ILogger logger, Exception exception, string symbol, ulong durable);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "{Symbol}: the {Kind} lease {Token} on slot {SlotPrice} expired at {ExpiredAt:O} before its holder finished; claims taken under it ended with it")]
    public static partial void LeaseExpired(ILogger logger, string symbol, LeaseKind kind, long token, decimal slotPrice, DateTimeOffset expiredAt);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "{Symbol}: checkpoint written; the journal now starts at sequence {JournalStart}")]
    public static partial void CheckpointWritten(ILogger logger, string symbol, ulong journalStart);
}
