using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HaiPay.Callbacks;

/// <summary>A callback body that is neither a flat JSON object nor a form-encoded body.</summary>
public sealed class CallbackFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Parses HaiPay's notify body into a generic map of every received field (unknown ones included), never a fixed
/// class, so verification covers exactly what was sent. JSON (numbers kept as their literal text, booleans as
/// true/false) or application/x-www-form-urlencoded.
/// </summary>
public static class CallbackParser
{
    /// <summary>
    /// Parses <paramref name="body"/> by its content type (application/json or any <c>+json</c> type;
    /// application/x-www-form-urlencoded); with no content type, a body starting with <c>{</c> is JSON, anything
    /// else form. Field names are kept exactly as received (case-sensitive). Throws
    /// <see cref="CallbackFormatException"/> for an empty body, an unsupported content type, invalid JSON, a
    /// non-object or nested value, a malformed form pair, or a field that appears twice.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Parse(string body, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        var text = body.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CallbackFormatException("The callback body is empty.");
        }
        return IsJson(text, contentType) ? ParseJson(text) : ParseForm(text.Trim());
    }

    private static bool IsJson(string text, string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return text.TrimStart().StartsWith('{');
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var header) || header.MediaType is null)
        {
            throw new CallbackFormatException($"The callback content type '{contentType}' is not a valid media type.");
        }
        var mediaType = header.MediaType;
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        throw new CallbackFormatException(
            $"The callback content type '{mediaType}' is not supported; expected application/json or application/x-www-form-urlencoded.");
    }

    private static Dictionary<string, string?> ParseJson(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CallbackFormatException($"The callback body is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            if (!FlatJson.TryRead(document.RootElement, out var fields, out var problem))
            {
                throw new CallbackFormatException($"The callback body is not a flat JSON object: {problem}.");
            }
            return fields;
        }
    }

    private static Dictionary<string, string?> ParseForm(string text)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                throw new CallbackFormatException(equals == 0
                    ? "The callback form body has a value with no field name."
                    : $"The callback form body has a field with no '=': '{Decode(pair)}'.");
            }
            var name = Decode(pair[..equals]);
            if (!fields.TryAdd(name, Decode(pair[(equals + 1)..])))
            {
                throw new CallbackFormatException($"The callback form body has field '{name}' more than once.");
            }
        }
        if (fields.Count == 0)
        {
            throw new CallbackFormatException("The callback form body has no fields.");
        }
        return fields;
    }

    /// <summary>Form decoding: <c>+</c> is a space, <c>%XX</c> sequences are UTF-8 bytes.</summary>
    private static string Decode(string value) => WebUtility.UrlDecode(value);
}
