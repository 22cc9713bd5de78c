namespace HaiPay;

/// <summary>The currencies of HaiPay's Hong Kong collection API. Each has its own appId and credentials.</summary>
public enum Currency
{
    HKD,
    USD,
}

public static class CurrencyExtensions
{
    /// <summary>The lower-case path segment HaiPay uses: <c>hkd</c> or <c>usd</c>.</summary>
    public static string ToPathSegment(this Currency currency) => currency switch
    {
        Currency.HKD => "hkd",
        Currency.USD => "usd",
        _ => throw new ArgumentOutOfRangeException(nameof(currency), currency, null),
    };

    /// <summary>Parses "HKD"/"USD" (case-insensitive); anything else is not a HaiPay collection currency.</summary>
    public static bool TryParse(string? value, out Currency currency)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case "HKD": currency = Currency.HKD; return true;
            case "USD": currency = Currency.USD; return true;
            default: currency = default; return false;
        }
    }
}
