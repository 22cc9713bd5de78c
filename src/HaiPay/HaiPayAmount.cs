using System.Globalization;
using System.Text.RegularExpressions;

namespace HaiPay;

/// <summary>
/// Money on HaiPay's wire: a decimal string with at most two decimals, no exponent, no thousands separators.
/// Inside the product money is always <see cref="decimal"/>.
/// </summary>
public static partial class HaiPayAmount
{
    // ASCII digits only (\d would admit other scripts' digits) and \z, not $ (which also matches before a final newline).
    [GeneratedRegex(@"^[0-9]+(\.[0-9]{1,2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex WirePattern();

    /// <summary>True when <paramref name="value"/> matches <c>^\d+(\.\d{1,2})?$</c> (ASCII digits, no trailing newline), the apply rule.</summary>
    public static bool IsWellFormed(string? value) => value is not null && WirePattern().IsMatch(value);

    /// <summary>Parses a wire amount strictly (the apply rule). Returns false for anything else.</summary>
    public static bool TryParse(string? value, out decimal amount)
    {
        amount = 0;
        return IsWellFormed(value) &&
               decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    /// <summary>Parses an amount HaiPay sent (query, callback) leniently: any plain invariant decimal.</summary>
    public static bool TryParseLenient(string? value, out decimal amount) =>
        decimal.TryParse(value?.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
            CultureInfo.InvariantCulture, out amount);

    /// <summary>Formats with exactly two decimals, invariant culture, no grouping: 10 → "10.00".</summary>
    public static string Format(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
