using System.Text;

namespace Collect.Core.Storage;

/// <summary>
/// Text as Table Storage will take it. A string property holds at most 64 KiB (32K UTF-16 characters) and must be
/// valid UTF-16; text from outside (callbacks, HaiPay's messages) is neither guaranteed, so every such value is
/// passed through <see cref="Fit"/> before it is stored.
/// </summary>
public static class StorageText
{
    /// <summary>Longest callback body or provider payload kept in an audit entry.</summary>
    public const int MaxRawBody = 16_000;

    /// <summary>Longest raw body kept for a callback whose signature did not verify (anonymous traffic).</summary>
    public const int MaxUnverifiedRawBody = 2_048;

    /// <summary>Longest other text property (details, provider messages).</summary>
    public const int MaxText = 2_000;

    /// <summary>
    /// <paramref name="text"/> with lone surrogates replaced by U+FFFD and cut to <paramref name="maxLength"/>
    /// characters (never between the halves of a surrogate pair), marked when it was cut.
    /// </summary>
    public static string? Fit(string? text, int maxLength = MaxText)
    {
        if (text is null)
        {
            return null;
        }
        var clean = HasLoneSurrogate(text) ? Sanitise(text) : text;
        if (clean.Length <= maxLength)
        {
            return clean;
        }
        var marker = $"…(cut; {clean.Length} characters)";
        var keep = Math.Max(0, maxLength - marker.Length);
        if (keep > 0 && char.IsHighSurrogate(clean[keep - 1]))
        {
            keep--;
        }
        return clean[..keep] + marker;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static string Sanitise(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text[i]).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
            }
        }
        return builder.ToString();
    }
}
