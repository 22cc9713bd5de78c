using HaiPay.Callbacks;
using HaiPay.Signing;

namespace HaiPay.Tests.Signing;

public class CanonicalStringTests
{
    private static KeyValuePair<string, string?> F(string name, string? value) => new(name, value);

    [Fact]
    public void Sorts_names_by_ordinal_so_upper_case_comes_before_underscore_and_lower_case()
    {
        var fields = new[] { F("b", "2"), F("a", "3"), F("_x", "4"), F("B", "1"), F("Z", "5") };

        Assert.Equal("B=1&Z=5&_x=4&a=3&b=2&key=s3cret", CanonicalString.Build(fields, "s3cret"));
    }

    [Fact]
    public void Orders_the_apply_fields_as_HaiPay_expects()
    {
        var fields = new[]
        {
            F("orderNo", "P1"), F("orderId", "M1"), F("appId", "1001"), F("amount", "10.50"),
            F("callBackUrl", "https://m.hk/ok"), F("callBackFailUrl", "https://m.hk/fail"),
        };

        Assert.Equal(
            "amount=10.50&appId=1001&callBackFailUrl=https://m.hk/fail&callBackUrl=https://m.hk/ok&orderId=M1&orderNo=P1&key=k",
            CanonicalString.Build(fields, "k"));
    }

    [Fact]
    public void Drops_null_and_empty_values_by_default_but_keeps_whitespace()
    {
        var fields = new[] { F("a", "1"), F("b", null), F("c", ""), F("d", " ") };

        Assert.Equal("a=1&d= &key=k", CanonicalString.Build(fields, "k"));
    }

    [Fact]
    public void Keeps_null_and_empty_values_as_bare_names_when_told_to()
    {
        var fields = new[] { F("a", "1"), F("b", null), F("c", "") };

        Assert.Equal("a=1&b=&c=&key=k", CanonicalString.Build(fields, "k", new SignatureOptions { SkipEmptyValues = false }));
    }

    [Fact]
    public void Excludes_sign_but_not_differently_cased_Sign()
    {
        var fields = new[] { F("sign", "abc"), F("Sign", "kept"), F("a", "1") };

        Assert.Equal("Sign=kept&a=1&key=k", CanonicalString.Build(fields, "k"));
    }

    [Fact]
    public void Appends_the_key_only_when_configured()
    {
        var fields = new[] { F("a", "1") };

        Assert.Equal("a=1&key=k", CanonicalString.Build(fields, "k", new SignatureOptions { AppendKey = true }));
        Assert.Equal("a=1", CanonicalString.Build(fields, "k", new SignatureOptions { AppendKey = false }));
        Assert.Equal("key=k", CanonicalString.Build([], "k"));
        Assert.Equal("", CanonicalString.Build([], "k", new SignatureOptions { AppendKey = false }));
    }

    [Fact]
    public void Writes_values_as_they_are_without_url_encoding_or_trimming()
    {
        var fields = new[] { F("name", "陳 大文"), F("url", "https://m.hk/r?a=1&b=2"), F("note", " x+y% ") };

        Assert.Equal("name=陳 大文&note= x+y% &url=https://m.hk/r?a=1&b=2&key=k", CanonicalString.Build(fields, "k"));
    }

    [Fact]
    public void Numbers_booleans_and_unknown_fields_from_a_callback_appear_as_received()
    {
        var fields = CallbackParser.Parse(
            """{"status":2,"amount":100.50,"appId":1001,"isTest":false,"newField":"x","sign":"zzz","none":null}""",
            "application/json");

        Assert.Equal("amount=100.50&appId=1001&isTest=false&newField=x&status=2&key=k", CanonicalString.Build(fields, "k"));
    }
}
