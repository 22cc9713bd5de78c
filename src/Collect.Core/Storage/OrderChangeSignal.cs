using System.Collections.Concurrent;
using System.Threading.Channels;
using Collect.Core.Orders;

namespace Collect.Core.Storage;

/// <summary>
/// Hands a reader in this process that watches an order (the create handler waiting for the apply) every committed
/// update of its row, with the row as committed: <see cref="OrderStore"/> raises it after each commit. A hint only — a
/// write from another process (another Functions instance) does not raise it — so a watcher still re-reads the row on
/// its own schedule. An order is watched only from <see cref="Watch"/> to <see cref="Forget"/>, so nothing grows with
/// the orders seen.
/// </summary>
public sealed class OrderChangeSignal
{
    /// <summary>Commits kept per watched order; a watcher only wants the latest, so older ones make room.</summary>
    private const int KeptCommits = 4;

    private readonly ConcurrentDictionary<string, Channel<Order>> _watched = new(StringComparer.Ordinal);

    /// <summary>
    /// The order's commits from now on, in commit order (start watching before reading the row or starting the work
    /// that commits it). Watchers of the same order share one reader.
    /// </summary>
    public ChannelReader<Order> Watch(string orderId) =>
        _watched.GetOrAdd(orderId, _ => Channel.CreateBounded<Order>(
            new BoundedChannelOptions(KeptCommits) { FullMode = BoundedChannelFullMode.DropOldest })).Reader;

    /// <summary>The order's row was updated to <paramref name="committed"/>: a watcher gets it.</summary>
    public void Raise(Order committed)
    {
        if (_watched.TryGetValue(committed.OrderId, out var commits))
        {
            commits.Writer.TryWrite(committed);
        }
    }

    /// <summary>The watcher is done: commits from now on are not kept.</summary>
    public void Forget(string orderId) => _watched.TryRemove(orderId, out _);
}
