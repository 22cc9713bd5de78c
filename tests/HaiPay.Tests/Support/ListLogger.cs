using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HaiPay.Tests.Support;

/// <summary>Keeps every formatted log line (with its exception text) so tests can check what would be written.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception)));

    public string AllText => string.Join("\n", Entries.Select(e => e.Text));
}
