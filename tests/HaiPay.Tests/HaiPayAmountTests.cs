namespace HaiPay.Tests;

public class HaiPayAmountTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("1.5", 1.5)]
    [InlineData("4999.99", 4999.99)]
    [InlineData("007.10", 7.10)]
    public void Parses_wire_amounts_strictly(string text, decimal expected)
    {
        Assert.True(HaiPayAmount.TryParse(text, out var amount));
        Assert.Equal(expected, amount);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1.234")]
    [InlineData("1,000")]
    [InlineData("-1")]
    [InlineData("1e2")]
    [InlineData("10\n")]
    [InlineData("١٠")]
    [InlineData("99999999999999999999999999999999")]
    public void Refuses_anything_else(string? text)
    {
        Assert.False(HaiPayAmount.TryParse(text, out _));
    }

    [Theory]
    [InlineData("10\n")]
    [InlineData("١٠")]
    public void IsWellFormed_refuses_trailing_newlines_and_non_ascii_digits(string text)
    {
        Assert.False(HaiPayAmount.IsWellFormed(text));
    }

    [Theory]
    [InlineData(" 100.5 ", 100.5)]
    [InlineData("100.505", 100.505)]
    [InlineData("-1.00", -1)]
    public void Parses_what_HaiPay_sends_leniently(string text, decimal expected)
    {
        Assert.True(HaiPayAmount.TryParseLenient(text, out var amount));
        Assert.Equal(expected, amount);
    }

    [Fact]
    public void Formats_with_two_decimals_invariantly()
    {
        Assert.Equal("10.00", HaiPayAmount.Format(10m));
        Assert.Equal("1234.50", HaiPayAmount.Format(1234.5m));
    }
}
