using System.Globalization;

namespace HaiPay;

/// <summary>
/// HaiPay's timestamps (<c>payTime</c>): <c>yyyy-MM-dd HH:mm:ss</c> in the provider's local time, which carries no
/// offset on the wire; the offset comes from configuration (<see cref="HaiPayOptions.ProviderUtcOffset"/>, UTC+8).
/// </summary>
public static class ProviderTime
{
    /// <summary>The wire format, <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public const string Pattern = "yyyy-MM-dd HH:mm:ss";

    /// <summary>Parses a wire timestamp exactly (no surrounding whitespace) as local time at <paramref name="utcOffset"/>.</summary>
    public static bool TryParse(string? value, TimeSpan utcOffset, out DateTimeOffset time)
    {
        time = default;
        if (value is null ||
            !DateTime.TryParseExact(value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }
        try
        {
            time = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), utcOffset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes <paramref name="time"/> as HaiPay does: converted to <paramref name="utcOffset"/>, then formatted.</summary>
    public static string Format(DateTimeOffset time, TimeSpan utcOffset) =>
        time.ToOffset(utcOffset).ToString(Pattern, CultureInfo.InvariantCulture);
}
