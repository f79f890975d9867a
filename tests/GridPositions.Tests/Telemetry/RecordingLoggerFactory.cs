using Microsoft.Extensions.Logging;

namespace GridPositions.Tests.Telemetry;

/// <summary>One log call, with whether the calling thread held any of the manager's locks at that moment.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, Exception? Exception, int ThreadId, bool UnderLock);

/// <summary>A logger factory that records every entry at or above <paramref name="minimum"/>, checking the manager's locks as it does.</summary>
internal sealed class RecordingLoggerFactory(LogLevel minimum = LogLevel.Information) : ILoggerFactory
{
    private readonly List<LogEntry> _entries = [];

    /// <summary>The manager whose locks each log call is checked against; set once it exists.</summary>
    public SuperPositionManager? Manager { get; set; }

    public List<string> Categories { get; } = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName)
    {
        Categories.Add(categoryName);
        return new Logger(this);
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            bool underLock = owner.Manager is { } manager && Internals.HoldsAnyLock(manager);
            var entry = new LogEntry(logLevel, eventId.Id, formatter(state, exception), exception, Environment.CurrentManagedThreadId, underLock);
            lock (owner._entries)
            {
                owner._entries.Add(entry);
            }
        }
    }

    private readonly LogLevel _minimumLevel = minimum;
}
