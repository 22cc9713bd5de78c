using System.Text;

namespace HaiPay.Signing;

/// <summary>
/// Builds HaiPay's string to sign: every field except <c>sign</c>, empty values dropped (configurable), names in
/// ordinal order, <c>name=value</c> joined by <c>&amp;</c>, then <c>&amp;key={secretKey}</c> (configurable).
/// Values are taken as they are: no URL-encoding, no trimming.
/// </summary>
public static class CanonicalString
{
    public const string SignField = "sign";

    public static string Build(IEnumerable<KeyValuePair<string, string?>> fields, string secretKey, SignatureOptions? options = null)
    {
        options ??= SignatureOptions.Default;
        var included = fields
            .Where(f => f.Key != SignField)
            .Where(f => !options.SkipEmptyValues || !string.IsNullOrEmpty(f.Value))
            .OrderBy(f => f.Key, StringComparer.Ordinal);

        var sb = new StringBuilder();
        foreach (var (name, value) in included)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }
            sb.Append(name).Append('=').Append(value);
        }
        if (options.AppendKey)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }
            sb.Append("key=").Append(secretKey);
        }
        return sb.ToString();
    }
}
