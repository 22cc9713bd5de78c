using System.Text.RegularExpressions;
using HaiPay.Validation;

namespace Collect.Core.Orders;

/// <summary>
/// What an orderId may be: 1–48 characters of <c>A–Z a–z 0–9 . _ ~ -</c>, starting with a letter or digit. That set is
/// printable ASCII, safe unescaped as a URL path segment (RFC 3986 "unreserved"), as a Table Storage key and as a
/// Durable Task instance id, and it cannot spoof text on an operations screen (no spaces, no bidirectional overrides,
/// no zero-width characters); the first character rules out <c>.</c> and <c>..</c>, which URL normalisation removes.
/// </summary>
public static partial class OrderIds
{
    public const int MaxLength = ApplyRequestValidator.OrderIdMaxLength;

    /// <summary>The rule in words, for error messages and documentation.</summary>
    public const string Rule = "1–48 characters of A–Z, a–z, 0–9, '.', '_', '~' and '-', starting with a letter or digit";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._~-]{0,47}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>True when <paramref name="orderId"/> follows <see cref="Rule"/>; anything else is never used as a key.</summary>
    public static bool IsValid(string? orderId) => orderId is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(orderId);
}
