using System.Security.Cryptography;
using HaiPay.Signing;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>RSA keys generated once per test run (never stored), so each test's sandbox starts without key generation.</summary>
internal static class TestKeys
{
    private static readonly Lazy<string> Merchant = new(NewPrivateKey);
    private static readonly Lazy<string> Platform = new(NewPrivateKey);
    private static readonly Lazy<string> Stranger = new(NewPrivateKey);

    public static string MerchantPrivateKey => Merchant.Value;
    public static string PlatformPrivateKey => Platform.Value;

    /// <summary>A key the sandbox does not know: signatures made with it must be refused.</summary>
    public static string StrangerPrivateKey => Stranger.Value;

    private static string NewPrivateKey()
    {
        using var rsa = RSA.Create(2048);
        return RsaKeys.ExportPrivateKeyBase64(rsa);
    }
}
