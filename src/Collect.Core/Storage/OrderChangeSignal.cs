using System.Collections.Concurrent;

namespace Collect.Core.Storage;

/// <summary>
/// Wakes readers in this process that wait for an order's row to change (the create handler waiting for the apply):
/// <see cref="OrderStore"/> raises it after each committed update of the row. A hint only — a write from another
/// process (another Functions instance) does not raise it — so a waiter still re-reads the row on its own schedule.
/// </summary>
public sealed class OrderChangeSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>Completes at the next committed update of the order's row after this call (take it before reading the row).</summary>
    public Task Next(string orderId) =>
        _waiting.GetOrAdd(orderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The order's row was updated: completes the waits taken before.</summary>
    public void Raise(string orderId)
    {
        if (_waiting.TryRemove(orderId, out var changed))
        {
            changed.TrySetResult();
        }
    }

    /// <summary>The waiter is done: its pending wait, if nobody raised it, is dropped (another waiter of the same order then falls back to its own re-reads).</summary>
    public void Forget(string orderId) => _waiting.TryRemove(orderId, out _);
}
