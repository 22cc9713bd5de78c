using Collect.Core.Collection;

namespace Collect.Core.Tests.Orchestration;

public sealed class QueryScheduleTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 2, 0, 0, DateTimeKind.Utc);
    private static readonly QuerySchedule Default = new(CollectionInput.DefaultQueryBackoff, Now.AddHours(1));

    [Theory]
    [InlineData(0, 15)]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 300)]
    [InlineData(5, 300)]
    [InlineData(40, 300)]
    public void Queries_made_index_the_back_off_and_the_last_entry_repeats(int queriesMade, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Default.DelayAfter(queriesMade));
        Assert.Equal(Now.AddSeconds(seconds), Default.NextQueryAt(Now, queriesMade));
    }

    [Fact]
    public void The_next_query_is_never_later_than_the_deadline()
    {
        var schedule = new QuerySchedule(CollectionInput.DefaultQueryBackoff, Now.AddSeconds(100));

        Assert.Equal(Now.AddSeconds(100), schedule.NextQueryAt(Now, queriesMade: 4));
        Assert.Equal(Now.AddSeconds(100), schedule.NextQueryAt(Now.AddSeconds(130), queriesMade: 0));
        Assert.Equal(Now.AddSeconds(15), schedule.NextQueryAt(Now, queriesMade: 0));
    }

    [Fact]
    public void Only_a_query_at_or_after_the_deadline_is_the_final_check()
    {
        var schedule = new QuerySchedule(CollectionInput.DefaultQueryBackoff, Now.AddSeconds(100));

        Assert.True(schedule.IsFinalCheck(Now.AddSeconds(100)));
        Assert.True(schedule.IsFinalCheck(Now.AddSeconds(101)));
        Assert.False(schedule.IsFinalCheck(Now.AddSeconds(99)));
    }

    [Fact]
    public void The_documented_default_is_15s_30s_1m_2m_then_5m()
    {
        Assert.Equal(
            new[] { 15, 30, 60, 120, 300 }.Select(s => TimeSpan.FromSeconds(s)),
            CollectionInput.DefaultQueryBackoff);
        var input = new CollectionInput { OrderId = "ORD-1", Currency = HaiPay.Currency.HKD };
        Assert.Equal(TimeSpan.FromMinutes(30), input.Deadline);
        Assert.Equal(20, input.ContinueAsNewAfterQueries);
    }

    [Fact]
    public void An_empty_or_non_positive_schedule_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new QuerySchedule([], Now));
        Assert.Throws<ArgumentException>(() => new QuerySchedule([TimeSpan.FromSeconds(5), TimeSpan.Zero], Now));
    }
}
