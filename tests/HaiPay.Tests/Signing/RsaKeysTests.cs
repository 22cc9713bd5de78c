using System.Security.Cryptography;
using System.Text;
using HaiPay.Signing;
using HaiPay.Tests.Support;

namespace HaiPay.Tests.Signing;

public class RsaKeysTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("amount=1.00&key=k");

    public static TheoryData<string, string> PrivateKeyForms()
    {
        var key = TestKeys.Merchant;
        var pkcs8 = Convert.ToBase64String(key.ExportPkcs8PrivateKey());
        var pkcs1 = Convert.ToBase64String(key.ExportRSAPrivateKey());
        return new TheoryData<string, string>
        {
            { "PKCS#8 PEM", key.ExportPkcs8PrivateKeyPem() },
            { "PKCS#8 bare base64", pkcs8 },
            { "PKCS#1 PEM", key.ExportRSAPrivateKeyPem() },
            { "PKCS#1 bare base64", pkcs1 },
            { "PKCS#8 PEM with CRLF", key.ExportPkcs8PrivateKeyPem().Replace("\n", "\r\n") },
            { "PKCS#8 base64 wrapped at 64 columns, indented", string.Join("\n", pkcs8.Chunk(64).Select(c => "  " + new string(c))) },
            { "PKCS#1 base64 with spaces and tabs", string.Join(" \t", pkcs1.Chunk(40).Select(c => new string(c))) },
        };
    }

    [Theory]
    [MemberData(nameof(PrivateKeyForms))]
    public void Loads_private_keys_in_every_accepted_form(string form, string text)
    {
        using var loaded = RsaKeys.LoadPrivateKey(text);

        var signature = loaded.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(TestKeys.Merchant.VerifyData(Data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), form);
    }

    public static TheoryData<string, string> PublicKeyForms()
    {
        var key = TestKeys.Platform;
        return new TheoryData<string, string>
        {
            { "SubjectPublicKeyInfo PEM", key.ExportSubjectPublicKeyInfoPem() },
            { "SubjectPublicKeyInfo bare base64", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) },
            { "PKCS#1 RSAPublicKey PEM", key.ExportRSAPublicKeyPem() },
            { "PKCS#1 RSAPublicKey bare base64", Convert.ToBase64String(key.ExportRSAPublicKey()) },
        };
    }

    [Theory]
    [MemberData(nameof(PublicKeyForms))]
    public void Loads_public_keys_in_every_accepted_form(string form, string text)
    {
        using var loaded = RsaKeys.LoadPublicKey(text);

        var signature = TestKeys.Platform.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(loaded.VerifyData(Data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), form);
    }

    [Fact]
    public void Exports_bare_base64_that_loads_back()
    {
        var privateText = RsaKeys.ExportPrivateKeyBase64(TestKeys.Merchant);
        var publicText = RsaKeys.ExportPublicKeyBase64(TestKeys.Merchant);

        Assert.DoesNotContain("-----", privateText);
        Assert.DoesNotContain("\n", publicText);
        using var privateKey = RsaKeys.LoadPrivateKey(privateText);
        using var publicKey = RsaKeys.LoadPublicKey(publicText);
        var signature = privateKey.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(publicKey.VerifyData(Data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static TheoryData<string, string> MalformedPrivateKeys()
    {
        var pkcs8 = Convert.ToBase64String(TestKeys.Merchant.ExportPkcs8PrivateKey());
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new TheoryData<string, string>
        {
            { "empty", "" },
            { "whitespace", "  \n " },
            { "not base64", "this-is-not%base64!!" },
            { "base64 of text", Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely not a DER key, just some text")) },
            { "truncated", pkcs8[..(pkcs8.Length / 2 / 4 * 4)] },
            { "a public key", Convert.ToBase64String(TestKeys.Merchant.ExportSubjectPublicKeyInfo()) },
            { "an EC key", Convert.ToBase64String(ec.ExportPkcs8PrivateKey()) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedPrivateKeys))]
    public void Malformed_private_keys_throw_KeyFormatException_without_key_material(string form, string text)
    {
        var ex = Assert.Throws<KeyFormatException>(() => RsaKeys.LoadPrivateKey(text, "HaiPay:Credentials:HKD:MerchantPrivateKey"));

        Assert.Contains("HaiPay:Credentials:HKD:MerchantPrivateKey", ex.Message);
        AssertNoKeyMaterial(text, ex, form);
    }

    public static TheoryData<string, string> MalformedPublicKeys()
    {
        var spki = Convert.ToBase64String(TestKeys.Platform.ExportSubjectPublicKeyInfo());
        return new TheoryData<string, string>
        {
            { "empty", "" },
            { "not base64", "@@@@" },
            { "base64 of text", Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely not a DER key, just some text")) },
            { "truncated", spki[..(spki.Length / 2 / 4 * 4)] },
            { "a PKCS#8 private key", Convert.ToBase64String(TestKeys.Platform.ExportPkcs8PrivateKey()) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedPublicKeys))]
    public void Malformed_public_keys_throw_KeyFormatException_without_key_material(string form, string text)
    {
        var ex = Assert.Throws<KeyFormatException>(() => RsaKeys.LoadPublicKey(text, "HaiPay:PlatformPublicKey"));

        Assert.Contains("HaiPay:PlatformPublicKey", ex.Message);
        AssertNoKeyMaterial(text, ex, form);
    }

    /// <summary>No 12-character run of the input appears anywhere in the exception, its inner exceptions or stack text.</summary>
    private static void AssertNoKeyMaterial(string input, Exception ex, string form)
    {
        var everything = ex.ToString();
        var compact = new string(input.Where(c => !char.IsWhiteSpace(c)).ToArray());
        for (var i = 0; i + 12 <= compact.Length; i += 6)
        {
            Assert.False(everything.Contains(compact.Substring(i, 12), StringComparison.Ordinal), $"{form}: key text leaked into the exception");
        }
    }
}
