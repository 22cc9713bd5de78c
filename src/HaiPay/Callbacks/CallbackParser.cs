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
    public static IReadOnlyDictionary<string, string?> Parse(string body, string? contentType) =>
        throw new NotImplementedException();
}
