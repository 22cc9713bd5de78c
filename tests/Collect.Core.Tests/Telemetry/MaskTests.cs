using Collect.Core.Telemetry;

namespace Collect.Core.Tests.Telemetry;

public sealed class MaskTests
{
    [Theory]
    [InlineData("+85212345678", "+852****5678")]
    [InlineData("+852 1234 5678", "+852****5678")]
    [InlineData("85212345678", "852****5678")]
    [InlineData("12345678", "****5678")]
    [InlineData("1234", "****")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Phones_keep_only_the_country_code_and_last_four_digits(string? phone, string masked)
    {
        Assert.Equal(masked, Mask.Phone(phone));
    }

    [Theory]
    [InlineData("john@example.com", "j***@example.com")]
    [InlineData("a@b.hk", "a***@b.hk")]
    [InlineData("no-at-sign", "***")]
    [InlineData("@example.com", "***")]
    [InlineData(null, "")]
    public void Emails_keep_only_the_first_character_and_domain(string? email, string masked)
    {
        Assert.Equal(masked, Mask.Email(email));
    }
}
