using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HaiPay.Sandbox.Keys;

/// <summary>One currency's merchant credentials. <see cref="SecretKey"/> and <see cref="MerchantPrivateKey"/> are secrets.</summary>
public sealed record SandboxMerchantCredentials(long AppId, string SecretKey, string MerchantPrivateKey)
{
    public override string ToString() => $"SandboxMerchantCredentials {{ AppId = {AppId} }}";
}

/// <summary>
/// What a merchant configures to talk to this sandbox: the product's <c>HaiPay</c> section. Contains private keys:
/// hand it to the product (in memory, a git-ignored file), never to a log.
/// </summary>
public sealed class SandboxMerchantSettings
{
    internal SandboxMerchantSettings(SandboxKeys keys, SandboxOptions options, Uri baseUrl, string storefrontSecret)
    {
        BaseUrl = baseUrl;
        StorefrontWebhookUrl = options.Storefront ? new Uri(baseUrl, "_storefront/events") : null;
        StorefrontSecret = storefrontSecret;
        PlatformPublicKey = keys.PlatformPublicKeyBase64;
        SkipEmptyValues = options.SkipEmptyValues;
        AppendKey = options.AppendKey;
        ProviderUtcOffset = options.ProviderUtcOffset;
        PaymentMethods = options.PaymentMethods.ToList();
        PhonePattern = options.PhonePattern;
        Credentials = Enum.GetValues<Currency>().ToDictionary(
            c => c,
            c => new SandboxMerchantCredentials(keys.For(c).AppId, keys.For(c).SecretKey, keys.MerchantPrivateKeyBase64));
    }

    /// <summary>The storefront receiver the product's events go to (null when switched off).</summary>
    public Uri? StorefrontWebhookUrl { get; }

    /// <summary>The storefront's signing secret.</summary>
    public string StorefrontSecret { get; }

    /// <summary>Where the merchant sends apply and query requests.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The sandbox platform's public key (SubjectPublicKeyInfo, bare base64).</summary>
    public string PlatformPublicKey { get; }

    public bool SkipEmptyValues { get; }
    public bool AppendKey { get; }
    public TimeSpan ProviderUtcOffset { get; }

    /// <summary>The sandbox's catalogue override; empty when it uses the seed catalogue.</summary>
    public IReadOnlyList<PaymentMethodOptions> PaymentMethods { get; }

    public string? PhonePattern { get; }

    public IReadOnlyDictionary<Currency, SandboxMerchantCredentials> Credentials { get; }

    /// <summary>The product's configuration keys (<c>HaiPay:...</c>) with their values, ready for AddInMemoryCollection.</summary>
    public IReadOnlyDictionary<string, string?> ToProductConfiguration()
    {
        const string p = HaiPayOptions.SectionName;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{p}:BaseUrl"] = BaseUrl.ToString(),
            [$"{p}:PlatformPublicKey"] = PlatformPublicKey,
            [$"{p}:SkipEmptyValues"] = SkipEmptyValues ? "true" : "false",
            [$"{p}:AppendKey"] = AppendKey ? "true" : "false",
            [$"{p}:ProviderUtcOffset"] = ProviderUtcOffset.ToString("c", CultureInfo.InvariantCulture),
        };
        foreach (var (currency, credentials) in Credentials)
        {
            settings[$"{p}:Credentials:{currency}:AppId"] = credentials.AppId.ToString(CultureInfo.InvariantCulture);
            settings[$"{p}:Credentials:{currency}:SecretKey"] = credentials.SecretKey;
            settings[$"{p}:Credentials:{currency}:MerchantPrivateKey"] = credentials.MerchantPrivateKey;
        }
        if (PhonePattern is not null)
        {
            settings[$"{p}:PhonePattern"] = PhonePattern;
        }
        if (StorefrontWebhookUrl is not null)
        {
            settings["Events:WebhookUrl"] = StorefrontWebhookUrl.ToString();
            settings["Events:SigningSecret"] = StorefrontSecret;
        }
        for (var i = 0; i < PaymentMethods.Count; i++)
        {
            var m = PaymentMethods[i];
            settings[$"{p}:PaymentMethods:{i}:Currency"] = m.Currency;
            settings[$"{p}:PaymentMethods:{i}:PayType"] = m.PayType;
            settings[$"{p}:PaymentMethods:{i}:InBankCode"] = m.InBankCode;
            settings[$"{p}:PaymentMethods:{i}:Min"] = m.Min.ToString(CultureInfo.InvariantCulture);
            settings[$"{p}:PaymentMethods:{i}:Max"] = m.Max.ToString(CultureInfo.InvariantCulture);
            settings[$"{p}:PaymentMethods:{i}:Status"] = m.Status;
            if (m.Description is not null)
            {
                settings[$"{p}:PaymentMethods:{i}:Description"] = m.Description;
            }
        }
        return settings;
    }

    /// <summary>
    /// The same settings as a JSON document in .NET configuration shape:
    /// <c>{"HaiPay": {"BaseUrl": ..., "Credentials": {"HKD": {...}}}}</c> (numbered keys become arrays).
    /// </summary>
    public string ToJson()
    {
        var root = new JsonObject();
        foreach (var (key, value) in ToProductConfiguration().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var parts = key.Split(':');
            var node = root;
            foreach (var part in parts[..^1])
            {
                if (node[part] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[part] = child;
                }
                node = child;
            }
            node[parts[^1]] = value;
        }
        return ArraysFromNumberedObjects(root)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonNode? ArraysFromNumberedObjects(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return node?.DeepClone();
        }
        var children = obj.Select(kv => (kv.Key, Value: ArraysFromNumberedObjects(kv.Value))).ToList();
        var numbered = children.Count > 0 && children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (numbered)
        {
            return new JsonArray(children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(c => c.Value).ToArray());
        }
        var copy = new JsonObject();
        foreach (var (key, value) in children)
        {
            copy[key] = value;
        }
        return copy;
    }
}
