using System.Security.Cryptography;
using HaiPay.Signing;

namespace HaiPay.Sandbox.Keys;

/// <summary>One currency's business ID and secret key.</summary>
public sealed record SandboxCurrencyKeys(Currency Currency, long AppId, string SecretKey)
{
    /// <summary>Never print the secret key.</summary>
    public override string ToString() => $"SandboxCurrencyKeys {{ Currency = {Currency}, AppId = {AppId} }}";
}

/// <summary>
/// The sandbox's credentials: an appId and secretKey per currency, the merchant's RSA key pair (the sandbox verifies
/// requests with its public half and hands the private half to the merchant) and the platform's RSA key pair (the
/// sandbox signs with it). Loaded from <see cref="SandboxOptions"/> or generated. The RSA objects are created once and
/// shared: signing and verifying with an unchanged key is safe from several threads.
/// </summary>
public sealed class SandboxKeys : IDisposable
{
    private readonly Dictionary<Currency, SandboxCurrencyKeys> _currencies;

    public SandboxKeys(SandboxOptions options)
    {
        MerchantPrivateKey = LoadOrCreate(options.MerchantPrivateKey, "Sandbox:MerchantPrivateKey");
        MerchantPublicKey = RSA.Create();
        MerchantPublicKey.ImportSubjectPublicKeyInfo(MerchantPrivateKey.ExportSubjectPublicKeyInfo(), out _);
        PlatformPrivateKey = LoadOrCreate(options.PlatformPrivateKey, "Sandbox:PlatformPrivateKey");
        PlatformPublicKeyBase64 = RsaKeys.ExportPublicKeyBase64(PlatformPrivateKey);
        MerchantPrivateKeyBase64 = RsaKeys.ExportPrivateKeyBase64(MerchantPrivateKey);
        WrongPrivateKey = RSA.Create(2048);

        _currencies = new Dictionary<Currency, SandboxCurrencyKeys>();
        var usedAppIds = new HashSet<long>();
        foreach (var currency in Enum.GetValues<Currency>())
        {
            options.Credentials.TryGetValue(currency.ToString(), out var configured);
            var appId = configured?.AppId > 0 ? configured.AppId : NewAppId(usedAppIds);
            if (!usedAppIds.Add(appId))
            {
                throw new InvalidOperationException($"Sandbox:Credentials: appId {appId} is given to more than one currency.");
            }
            var secretKey = string.IsNullOrWhiteSpace(configured?.SecretKey)
                ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))
                : configured.SecretKey;
            _currencies[currency] = new SandboxCurrencyKeys(currency, appId, secretKey);
        }
    }

    /// <summary>The merchant's private key; the sandbox only exports it into the merchant settings.</summary>
    public RSA MerchantPrivateKey { get; }

    /// <summary>Verifies the merchant's request signatures.</summary>
    public RSA MerchantPublicKey { get; }

    /// <summary>Signs every <c>data</c> object and callback.</summary>
    public RSA PlatformPrivateKey { get; }

    /// <summary>The platform public key as the merchant configures it (SubjectPublicKeyInfo, bare base64).</summary>
    public string PlatformPublicKeyBase64 { get; }

    internal string MerchantPrivateKeyBase64 { get; }

    /// <summary>A key nobody knows, for the "bad data signature" fault: a well-formed signature that never verifies.</summary>
    internal RSA WrongPrivateKey { get; }

    public SandboxCurrencyKeys For(Currency currency) => _currencies[currency];

    /// <summary>The currency whose appId this is, if any.</summary>
    public Currency? CurrencyOf(long appId) =>
        _currencies.Values.FirstOrDefault(c => c.AppId == appId)?.Currency;

    public void Dispose()
    {
        MerchantPrivateKey.Dispose();
        MerchantPublicKey.Dispose();
        PlatformPrivateKey.Dispose();
        WrongPrivateKey.Dispose();
    }

    public override string ToString() =>
        $"SandboxKeys {{ HKD = {For(Currency.HKD).AppId}, USD = {For(Currency.USD).AppId} }}";

    private static RSA LoadOrCreate(string? configured, string keyName)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return RSA.Create(2048);
        }
        return RsaKeys.LoadPrivateKey(configured, keyName);
    }

    private static long NewAppId(HashSet<long> used)
    {
        while (true)
        {
            var appId = RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000);
            if (!used.Contains(appId))
            {
                return appId;
            }
        }
    }
}
