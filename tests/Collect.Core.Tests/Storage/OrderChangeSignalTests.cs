using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;

namespace Collect.Core.Tests.Storage;

public sealed class OrderChangeSignalTests
{
    [Fact]
    public async Task A_wait_taken_before_a_change_completes_with_it_and_only_for_its_order()
    {
        var signal = new OrderChangeSignal();
        var mine = signal.Next("order-1");
        var other = signal.Next("order-2");

        signal.Raise(Committed("order-1"));

        Assert.True(mine.IsCompletedSuccessfully);
        var committed = await mine;
        Assert.Equal(("order-1", "etag-2"), (committed.OrderId, committed.ETag));
        Assert.False(other.IsCompleted);
    }

    [Fact]
    public void A_change_before_the_wait_is_taken_does_not_complete_it()
    {
        var signal = new OrderChangeSignal();
        signal.Raise(Committed("order-1"));

        Assert.False(signal.Next("order-1").IsCompleted);
    }

    [Fact]
    public void A_forgotten_wait_is_dropped_and_a_new_one_waits_for_the_next_change()
    {
        var signal = new OrderChangeSignal();
        var forgotten = signal.Next("order-1");
        signal.Forget("order-1");
        var next = signal.Next("order-1");

        signal.Raise(Committed("order-1"));

        Assert.False(forgotten.IsCompleted);
        Assert.True(next.IsCompletedSuccessfully);
    }

    private static Order Committed(string orderId) => TestOrders.Pending(orderId: orderId) with { ETag = "etag-2" };
}
