using System.Globalization;
using HaiPay.Sandbox.Keys;
using HaiPay.Signing;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Wire;

/// <summary>
/// The checks every merchant request passes first: its appId is the URL currency's, and its <c>sign</c> verifies with
/// the merchant public key and that currency's secretKey.
/// </summary>
internal sealed class MerchantRequestCheck(SandboxKeys keys, IOptions<SandboxOptions> options)
{
    private readonly HaiPaySigner _signer = new(options.Value.Signature);

    /// <summary>The error envelope to answer with, or null when the request is the merchant's, for this currency.</summary>
    public IResult? Verify(Currency currency, IReadOnlyDictionary<string, string?> fields, out long appId)
    {
        var text = fields.GetValueOrDefault("appId");
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out appId))
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError,
                string.IsNullOrEmpty(text) ? "appId is required" : "appId must be an integer");
        }
        var own = keys.For(currency);
        if (appId != own.AppId)
        {
            var message = keys.CurrencyOf(appId) is { } other
                ? $"appId {appId} belongs to {other}; /{currency.ToPathSegment()}/ requests need the {currency} appId"
                : $"appId {appId} is not a known {currency} business ID";
            return HaiPayEnvelope.Error(SandboxErrorCodes.AppIdCurrencyMismatch, message);
        }
        if (!_signer.VerifySigned(fields, own.SecretKey, keys.MerchantPublicKey))
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.SignatureError, "sign does not verify (merchant public key, secretKey)");
        }
        return null;
    }
}
