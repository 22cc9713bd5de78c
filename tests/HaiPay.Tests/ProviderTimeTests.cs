namespace HaiPay.Tests;

public class ProviderTimeTests
{
    private static readonly TimeSpan HongKong = TimeSpan.FromHours(8);

    [Fact]
    public void Parses_local_provider_time_at_the_offset()
    {
        Assert.True(ProviderTime.TryParse("2026-04-17 00:05:09", HongKong, out var time));

        Assert.Equal(HongKong, time.Offset);
        Assert.Equal(new DateTime(2026, 4, 16, 16, 5, 9), time.UtcDateTime);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-04-17")]
    [InlineData("2026-04-17T00:05:09")]
    [InlineData("2026-04-17 00:05:09 ")]
    [InlineData("2026-04-17 24:00:00")]
    [InlineData("17/04/2026 00:05:09")]
    public void Refuses_anything_but_the_exact_format(string? text)
    {
        Assert.False(ProviderTime.TryParse(text, HongKong, out _));
    }

    [Fact]
    public void Formats_in_provider_local_time_and_round_trips()
    {
        var instant = new DateTimeOffset(2026, 4, 16, 16, 5, 9, TimeSpan.Zero);

        var text = ProviderTime.Format(instant, HongKong);

        Assert.Equal("2026-04-17 00:05:09", text);
        Assert.True(ProviderTime.TryParse(text, HongKong, out var back));
        Assert.Equal(instant, back);
    }
}
