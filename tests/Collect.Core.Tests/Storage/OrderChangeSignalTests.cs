using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;

namespace Collect.Core.Tests.Storage;

public sealed class OrderChangeSignalTests
{
    [Fact]
    public void A_watcher_gets_every_commit_after_it_started_watching_in_order_and_only_for_its_order()
    {
        var signal = new OrderChangeSignal();
        var mine = signal.Watch("order-1");
        var other = signal.Watch("order-2");

        signal.Raise(Committed("order-1", "etag-2"));
        signal.Raise(Committed("order-1", "etag-3"));

        Assert.True(mine.TryRead(out var first));
        Assert.True(mine.TryRead(out var second));
        Assert.Equal(("order-1", "etag-2", "etag-3"), (first.OrderId, first.ETag, second.ETag));
        Assert.False(mine.TryRead(out _));
        Assert.False(other.TryRead(out _));
    }

    [Fact]
    public void A_commit_before_the_watch_is_not_kept()
    {
        var signal = new OrderChangeSignal();
        signal.Raise(Committed("order-1", "etag-2"));

        Assert.False(signal.Watch("order-1").TryRead(out _));
    }

    [Fact]
    public void A_forgotten_order_keeps_nothing_and_a_new_watch_starts_afresh()
    {
        var signal = new OrderChangeSignal();
        var forgotten = signal.Watch("order-1");
        signal.Forget("order-1");
        signal.Raise(Committed("order-1", "etag-2"));
        var next = signal.Watch("order-1");
        signal.Raise(Committed("order-1", "etag-3"));

        Assert.False(forgotten.TryRead(out _));
        Assert.True(next.TryRead(out var committed));
        Assert.Equal("etag-3", committed.ETag);
    }

    [Fact]
    public void A_watcher_that_falls_behind_keeps_the_latest_commits()
    {
        var signal = new OrderChangeSignal();
        var watcher = signal.Watch("order-1");

        for (var i = 1; i <= 10; i++)
        {
            signal.Raise(Committed("order-1", $"etag-{i}"));
        }

        var kept = new List<string?>();
        while (watcher.TryRead(out var committed))
        {
            kept.Add(committed.ETag);
        }
        Assert.Equal(["etag-7", "etag-8", "etag-9", "etag-10"], kept);
    }

    private static Order Committed(string orderId, string etag) => TestOrders.Pending(orderId: orderId) with { ETag = etag };
}
