using System.Text.Json;

namespace HaiPay;

/// <summary>
/// Reads a flat JSON object into the string map HaiPay signs: strings as they are, numbers as their literal text,
/// booleans as <c>true</c>/<c>false</c>, null as null. Nested objects/arrays and duplicate names are refused.
/// </summary>
internal static class FlatJson
{
    /// <summary>The fields of <paramref name="obj"/>, or false with a <paramref name="problem"/> naming the culprit.</summary>
    public static bool TryRead(JsonElement obj, out Dictionary<string, string?> fields, out string problem)
    {
        fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        problem = "";
        if (obj.ValueKind != JsonValueKind.Object)
        {
            problem = $"expected a JSON object, got {Describe(obj.ValueKind)}";
            return false;
        }
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                problem = $"field '{property.Name}' is {Describe(property.Value.ValueKind)}; only flat fields are allowed";
                return false;
            }
            if (!TryScalarText(property.Value, out var value))
            {
                problem = $"field '{property.Name}' is not valid text (a lone surrogate or invalid UTF-8)";
                return false;
            }
            if (!fields.TryAdd(property.Name, value))
            {
                problem = $"field '{property.Name}' appears more than once";
                return false;
            }
        }
        return true;
    }

    /// <summary>The text of a scalar element (string, number literal, boolean); null for null, anything else, and invalid text.</summary>
    public static string? ScalarText(JsonElement element) => TryScalarText(element, out var text) ? text : null;

    /// <summary>
    /// The text of a scalar element; false when a string holds invalid UTF-8 or an escaped lone surrogate, which
    /// <see cref="JsonElement.GetString"/> refuses with an <see cref="InvalidOperationException"/>.
    /// </summary>
    public static bool TryScalarText(JsonElement element, out string? text)
    {
        try
        {
            text = element.ValueKind switch
            {
                JsonValueKind.String => element.GetString(),
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
