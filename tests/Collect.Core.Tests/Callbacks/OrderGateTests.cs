using Collect.Core.Callbacks;

namespace Collect.Core.Tests.Callbacks;

public sealed class OrderGateTests
{
    [Fact]
    public async Task One_holder_per_order_at_a_time_and_nothing_kept_afterwards()
    {
        var gate = new OrderGate();
        var inside = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var held = await gate.EnterAsync(i % 2 == 0 ? "A" : "B", CancellationToken.None);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Delay(5);
            Interlocked.Decrement(ref inside);
        }));

        Assert.Equal(2, most);
        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_leaves_no_trace()
    {
        var gate = new OrderGate();
        var held = await gate.EnterAsync("A", CancellationToken.None);
        using var cancel = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync("A", cancel.Token));
        held.Dispose();

        Assert.Equal(0, gate.Count);
        using var again = await gate.EnterAsync("A", CancellationToken.None);
        Assert.Equal(1, gate.Count);
    }

    [Fact]
    public async Task A_turn_says_whether_someone_held_the_order_first()
    {
        var gate = new OrderGate();
        var first = await gate.EnterAsync("A", CancellationToken.None);
        var second = gate.EnterAsync("A", CancellationToken.None);
        using var other = await gate.EnterAsync("B", CancellationToken.None);

        Assert.False(first.Waited);
        Assert.False(other.Waited);
        Assert.False(second.IsCompleted);
        first.Dispose();
        using var turn = await second;
        Assert.True(turn.Waited);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
