using Collect.Core.Events;
using HaiPay.Sandbox.Storefront;

namespace Collect.Core.Tests.Events;

public sealed class EventSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private const string Body = """{"id":"evt_ORD-1_1","type":"order.succeeded"}""";

    [Fact]
    public void A_receiver_verifies_what_the_product_signs()
    {
        var header = EventSignature.Sign(Now.ToUnixTimeSeconds(), Body, ["whsec_current"]);

        Assert.StartsWith($"t={Now.ToUnixTimeSeconds()},v1=", header);
        Assert.True(EventSignature.Verify(header, Body, "whsec_current", Now, EventSignature.DefaultTolerance));
        // The sandbox storefront's verifier was written separately from the documented scheme: they agree.
        Assert.True(StorefrontReceiver.Verify(header, Body, "whsec_current", Now));
    }

    [Fact]
    public void During_a_rotation_both_secrets_sign_and_either_receiver_verifies()
    {
        var header = EventSignature.Sign(Now.ToUnixTimeSeconds(), Body, ["whsec_new", "whsec_old"]);

        Assert.Equal(2, header.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
        Assert.True(StorefrontReceiver.Verify(header, Body, "whsec_new", Now));
        Assert.True(StorefrontReceiver.Verify(header, Body, "whsec_old", Now));
        Assert.False(StorefrontReceiver.Verify(header, Body, "whsec_other", Now));
    }

    [Theory]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    [InlineData(299, true)]
    public void The_timestamp_must_lie_within_the_tolerance(int skewSeconds, bool accepted)
    {
        var header = EventSignature.Sign(Now.ToUnixTimeSeconds(), Body, ["s"]);

        Assert.Equal(accepted, EventSignature.Verify(header, Body, "s", Now.AddSeconds(skewSeconds), EventSignature.DefaultTolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=notanumber,v1=abc")]
    public void Malformed_headers_never_verify(string? header)
    {
        Assert.False(EventSignature.Verify(header, Body, "s", Now, EventSignature.DefaultTolerance));
    }

    [Fact]
    public void A_changed_body_does_not_verify()
    {
        var header = EventSignature.Sign(Now.ToUnixTimeSeconds(), Body, ["s"]);

        Assert.False(EventSignature.Verify(header, Body.Replace("succeeded", "failed"), "s", Now, EventSignature.DefaultTolerance));
    }
}
