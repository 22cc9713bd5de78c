using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace HaiPay.Sandbox.Wire;

/// <summary>
/// A HaiPay request body read as HaiPay signs it: a flat JSON object whose strings are taken as they are, numbers as
/// their literal text, booleans as <c>true</c>/<c>false</c>, null as null.
/// </summary>
internal static class RequestFields
{
    /// <summary>Larger bodies are refused unread: HaiPay requests are a few hundred bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The fields, or null with the reason the body is not a flat JSON object.</summary>
    public static async Task<(Dictionary<string, string?>? Fields, string? Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, $"the body is larger than {MaxBodyBytes} bytes");
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, ct);
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not valid JSON ({ex.Message})");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, $"the body is larger than {MaxBodyBytes} bytes");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body is not a JSON object");
            }
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string? value;
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String: value = property.Value.GetString(); break;
                    case JsonValueKind.Number: value = property.Value.GetRawText(); break;
                    case JsonValueKind.True: value = "true"; break;
                    case JsonValueKind.False: value = "false"; break;
                    case JsonValueKind.Null: value = null; break;
                    default: return (null, $"field '{property.Name}' is not a string, number, boolean or null");
                }
                if (!fields.TryAdd(property.Name, value))
                {
                    return (null, $"field '{property.Name}' appears more than once");
                }
            }
            return (fields, null);
        }
    }
}
