using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Collect.Core.Events;

/// <summary>
/// The storefront events' signature, Stripe's scheme: header <c>Collect-Signature: t={unix seconds},v1={hex}</c> with
/// one <c>v1</c> per active secret (two while a secret is rotated), each
/// <c>hex(HMAC-SHA256(secret, "{t}.{raw body}"))</c>. A receiver accepts when any <c>v1</c> matches its secret (compared in
/// constant time) and <c>t</c> is within its tolerance (<see cref="DefaultTolerance"/>).
/// </summary>
public static class EventSignature
{
    public const string Header = "Collect-Signature";

    /// <summary>How far a receiver should let <c>t</c> lie from its own clock: five minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(long timestamp, string body, IEnumerable<string> secrets) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)}," +
        string.Join(',', secrets.Select(secret => "v1=" + Hex(secret, timestamp, body)));

    /// <summary>What a receiver does: any <c>v1</c> matches <paramref name="secret"/> and <c>t</c> is recent.</summary>
    public static bool Verify(string? header, string body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }
        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2)
            {
                continue;
            }
            if (kv[0] == "t" && long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (kv[0] == "v1")
            {
                signatures.Add(kv[1]);
            }
        }
        if (timestamp is not { } ts || Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Hex(secret, ts, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }

    private static string Hex(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")));
}
