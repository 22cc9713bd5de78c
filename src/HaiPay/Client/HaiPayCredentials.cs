using System.Security.Cryptography;
using HaiPay.Signing;

namespace HaiPay.Client;

/// <summary>One currency's credentials: appId, secretKey, the merchant's private key and HaiPay's public key.</summary>
public sealed record HaiPayCredentials(long AppId, string SecretKey, RSA MerchantPrivateKey, RSA PlatformPublicKey)
{
    /// <summary>
    /// Parses both keys (see <see cref="RsaKeys"/>); a key that cannot be read throws <see cref="KeyFormatException"/>
    /// naming it by <paramref name="privateKeyName"/> or <paramref name="publicKeyName"/>, and nothing is left undisposed.
    /// </summary>
    public static HaiPayCredentials Load(
        long appId, string secretKey, string merchantPrivateKey, string privateKeyName, string platformPublicKey, string publicKeyName)
    {
        var privateKey = RsaKeys.LoadPrivateKey(merchantPrivateKey, privateKeyName);
        try
        {
            return new HaiPayCredentials(appId, secretKey, privateKey, RsaKeys.LoadPublicKey(platformPublicKey, publicKeyName));
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }

    /// <summary>Never print key material.</summary>
    public override string ToString() => $"HaiPayCredentials {{ AppId = {AppId} }}";
}

/// <summary>Where credentials come from (configuration, Key Vault, ...). Implementations cache.</summary>
public interface IHaiPayCredentialSource
{
    ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default);

    /// <summary>
    /// Called once after a signature fails to verify: reload from the source (keys may have been rolled) and return
    /// the fresh credentials.
    /// </summary>
    ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default);
}
