using System.Collections.Concurrent;
using Collect.Core.Orders;

namespace Collect.Core.Storage;

/// <summary>
/// Wakes readers in this process that wait for an order's row to change (the create handler waiting for the apply):
/// <see cref="OrderStore"/> raises it after each committed update of the row, with the row as committed. A hint only —
/// a write from another process (another Functions instance) does not raise it — so a waiter still re-reads the row
/// on its own schedule.
/// </summary>
public sealed class OrderChangeSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Order>> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Completes at the next committed update of the order's row after this call, with the order as that update wrote
    /// it (take it before reading the row).
    /// </summary>
    public Task<Order> Next(string orderId) =>
        _waiting.GetOrAdd(orderId, _ => new TaskCompletionSource<Order>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The order's row was updated to <paramref name="committed"/>: completes the waits taken before.</summary>
    public void Raise(Order committed)
    {
        if (_waiting.TryRemove(committed.OrderId, out var changed))
        {
            changed.TrySetResult(committed);
        }
    }

    /// <summary>The waiter is done: its pending wait, if nobody raised it, is dropped (another waiter of the same order then falls back to its own re-reads).</summary>
    public void Forget(string orderId) => _waiting.TryRemove(orderId, out _);
}
