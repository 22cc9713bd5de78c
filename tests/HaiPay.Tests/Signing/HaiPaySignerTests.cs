using System.Security.Cryptography;
using System.Text;
using HaiPay.Signing;
using HaiPay.Tests.Support;

namespace HaiPay.Tests.Signing;

public class HaiPaySignerTests
{
    private const string Secret = "merchant-secret";
    private readonly HaiPaySigner _signer = new();

    private static Dictionary<string, string?> Fields() => new()
    {
        ["appId"] = "1001",
        ["orderId"] = "ORD-1",
        ["amount"] = "100.50",
        ["name"] = "Chan Tai Man",
        ["unknownExtra"] = "kept",
    };

    [Fact]
    public void Signs_sha256_with_rsa_over_the_canonical_string_in_padded_base64()
    {
        var signature = _signer.Sign(Fields(), Secret, TestKeys.Merchant);

        Assert.Equal(344, signature.Length);
        Assert.EndsWith("=", signature);
        var canonical = Encoding.UTF8.GetBytes(CanonicalString.Build(Fields(), Secret));
        Assert.True(TestKeys.Merchant.VerifyData(canonical, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Round_trips_with_a_public_only_key_and_ignores_a_sign_field_in_the_input()
    {
        var fields = Fields();
        fields["sign"] = _signer.Sign(fields, Secret, TestKeys.Merchant);

        Assert.True(_signer.Verify(fields, fields["sign"], Secret, TestKeys.PublicOnly(TestKeys.Merchant)));
        Assert.True(_signer.VerifySigned(fields, Secret, TestKeys.PublicOnly(TestKeys.Merchant)));
    }

    [Fact]
    public void Signing_is_deterministic()
    {
        Assert.Equal(_signer.Sign(Fields(), Secret, TestKeys.Merchant), _signer.Sign(Fields(), Secret, TestKeys.Merchant));
    }

    [Theory]
    [InlineData("amount", "100.51")]
    [InlineData("unknownExtra", "changed")]
    [InlineData("orderId", "ORD-1 ")]
    public void Rejects_a_tampered_field(string name, string value)
    {
        var fields = Fields();
        var signature = _signer.Sign(fields, Secret, TestKeys.Merchant);
        fields[name] = value;

        Assert.False(_signer.Verify(fields, signature, Secret, TestKeys.Merchant));
    }

    [Fact]
    public void Rejects_an_added_or_removed_field()
    {
        var signature = _signer.Sign(Fields(), Secret, TestKeys.Merchant);
        var added = Fields();
        added["injected"] = "1";
        var removed = Fields();
        removed.Remove("unknownExtra");

        Assert.False(_signer.Verify(added, signature, Secret, TestKeys.Merchant));
        Assert.False(_signer.Verify(removed, signature, Secret, TestKeys.Merchant));
    }

    [Fact]
    public void Rejects_a_tampered_signature()
    {
        var signature = _signer.Sign(Fields(), Secret, TestKeys.Merchant);
        var bytes = Convert.FromBase64String(signature);
        bytes[100] ^= 0x01;

        Assert.False(_signer.Verify(Fields(), Convert.ToBase64String(bytes), Secret, TestKeys.Merchant));
    }

    [Fact]
    public void Rejects_the_wrong_key_and_the_wrong_secret()
    {
        var signature = _signer.Sign(Fields(), Secret, TestKeys.Merchant);

        Assert.False(_signer.Verify(Fields(), signature, Secret, TestKeys.Stranger));
        Assert.False(_signer.Verify(Fields(), signature, "other-secret", TestKeys.Merchant));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("abc")]
    public void Treats_missing_garbage_or_short_signatures_as_failed_verification(string? signature)
    {
        Assert.False(_signer.Verify(Fields(), signature, Secret, TestKeys.Merchant));
    }

    [Fact]
    public void A_signature_made_without_the_key_suffix_only_verifies_when_the_verifier_agrees()
    {
        var noKey = new HaiPaySigner(new SignatureOptions { AppendKey = false });
        var signature = noKey.Sign(Fields(), Secret, TestKeys.Merchant);

        Assert.True(noKey.Verify(Fields(), signature, Secret, TestKeys.Merchant));
        Assert.False(_signer.Verify(Fields(), signature, Secret, TestKeys.Merchant));
    }

    [Fact]
    public void VerifySigned_fails_without_a_sign_field()
    {
        Assert.False(_signer.VerifySigned(Fields(), Secret, TestKeys.Merchant));
    }
}
