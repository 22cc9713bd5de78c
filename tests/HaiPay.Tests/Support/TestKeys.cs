using System.Security.Cryptography;

namespace HaiPay.Tests.Support;

/// <summary>RSA-2048 key pairs generated once per test run: the merchant's, HaiPay's platform key, and a stranger's.</summary>
public static class TestKeys
{
    private static readonly Lazy<RSA> LazyMerchant = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyPlatform = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> LazyStranger = new(() => RSA.Create(2048));

    public static RSA Merchant => LazyMerchant.Value;
    public static RSA Platform => LazyPlatform.Value;
    public static RSA Stranger => LazyStranger.Value;

    /// <summary>A key object holding only the public half of <paramref name="pair"/>.</summary>
    public static RSA PublicOnly(RSA pair)
    {
        var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(pair.ExportSubjectPublicKeyInfo(), out _);
        return rsa;
    }
}
