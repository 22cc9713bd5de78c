using HaiPay.Signing;

namespace HaiPay;

/// <summary>Settings of the HaiPay client, bound from the <c>HaiPay</c> configuration section.</summary>
public sealed class HaiPayOptions
{
    public const string SectionName = "HaiPay";

    /// <summary>Default <see cref="PhonePattern"/>: 8 digits, optionally prefixed with +852 or 852.</summary>
    public const string DefaultPhonePattern = @"^(\+?852[ -]?)?[0-9]{4}[ -]?[0-9]{4}$";

    /// <summary>HaiPay's base URL. Default: the UAT interface.</summary>
    public Uri BaseUrl { get; set; } = new("https://uat-interface.haipay.asia");

    /// <summary>Drop null/empty fields before signing (HaiPay__SkipEmptyValues).</summary>
    public bool SkipEmptyValues { get; set; } = true;

    /// <summary>Append <c>&amp;key={secretKey}</c> (HaiPay__AppendKey).</summary>
    public bool AppendKey { get; set; } = true;

    /// <summary>Verify the <c>sign</c> of response <c>data</c> objects (HaiPay__VerifyResponseSignatures).</summary>
    public bool VerifyResponseSignatures { get; set; } = true;

    /// <summary>Offset of HaiPay's local time in <c>payTime</c>. Default UTC+8.</summary>
    public TimeSpan ProviderUtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Time allowed for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>HaiPay's platform public key, used for every currency that has none of its own.</summary>
    public string? PlatformPublicKey { get; set; }

    /// <summary>Credentials per currency, keyed "HKD" / "USD".</summary>
    public Dictionary<string, HaiPayCurrencyOptions> Credentials { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Replaces the seed catalogue when not empty.</summary>
    public List<PaymentMethodOptions> PaymentMethods { get; set; } = [];

    /// <summary>Accepted phone numbers (HaiPay's list has no Hong Kong entry): 8 digits, optionally +852 / 852.</summary>
    /// <remarks>The whole value must match (a match that stops before a trailing newline does not count).</remarks>
    public string PhonePattern { get; set; } = DefaultPhonePattern;

    public SignatureOptions Signature => new() { SkipEmptyValues = SkipEmptyValues, AppendKey = AppendKey };
}

/// <summary>One currency's settings. <see cref="SecretKey"/> and <see cref="MerchantPrivateKey"/> are secrets.</summary>
public sealed class HaiPayCurrencyOptions
{
    public long AppId { get; set; }
    public string? SecretKey { get; set; }
    public string? MerchantPrivateKey { get; set; }
    public string? PlatformPublicKey { get; set; }
}

/// <summary>A payment method as configuration gives it (overrides the seed catalogue).</summary>
public sealed class PaymentMethodOptions
{
    public string Currency { get; set; } = "";
    public string PayType { get; set; } = "";
    public string InBankCode { get; set; } = "";
    public decimal Min { get; set; }
    public decimal Max { get; set; }
    public string Status { get; set; } = "Available";
    public string? Description { get; set; }
}
