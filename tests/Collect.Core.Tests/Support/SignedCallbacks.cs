using System.Globalization;
using System.Text.Json.Nodes;
using HaiPay;
using HaiPay.Sandbox;
using HaiPay.Sandbox.Keys;
using HaiPay.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Support;

/// <summary>HaiPay callbacks as the sandbox would send them, signed with the sandbox platform's private key.</summary>
public static class SignedCallbacks
{
    /// <summary>
    /// A flat JSON callback (appId and status as numbers, like HaiPay). <paramref name="signWith"/> replaces the
    /// platform key to forge a signature; <paramref name="extra"/> adds fields HaiPay might add later.
    /// </summary>
    public static string Json(
        SandboxApp sandbox,
        Currency currency,
        string orderId,
        CollectionStatus status,
        string amount = "100.00",
        string? orderNo = null,
        System.Security.Cryptography.RSA? signWith = null,
        IReadOnlyDictionary<string, string?>? extra = null,
        bool includeCurrency = true)
    {
        var keys = sandbox.Services.GetRequiredService<SandboxKeys>();
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["appId"] = keys.For(currency).AppId.ToString(CultureInfo.InvariantCulture),
            ["orderId"] = orderId,
            ["orderNo"] = orderNo ?? "SBX-" + orderId,
            ["amount"] = amount,
            ["fee"] = "1.50",
            ["status"] = status.ToWire().ToString(CultureInfo.InvariantCulture),
            ["payTime"] = status == CollectionStatus.Success ? "2026-04-17 10:00:00" : null,
            ["errorMsg"] = status == CollectionStatus.Failed ? "Payment failed" : null,
        };
        if (includeCurrency)
        {
            fields["currency"] = currency.ToString();
        }
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            fields[name] = value;
        }
        var present = fields.Where(f => f.Value is not null).ToList();
        var signer = new HaiPaySigner(new SignatureOptions
        {
            SkipEmptyValues = sandbox.Merchant.SkipEmptyValues,
            AppendKey = sandbox.Merchant.AppendKey,
        });
        var sign = signer.Sign(present, keys.For(currency).SecretKey, signWith ?? keys.PlatformPrivateKey);

        var json = new JsonObject();
        foreach (var (name, value) in present)
        {
            json[name] = name is "appId" or "status" ? JsonValue.Create(long.Parse(value!, CultureInfo.InvariantCulture)) : value;
        }
        json["sign"] = sign;
        return json.ToJsonString();
    }
}
