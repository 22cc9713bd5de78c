using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Control;

/// <summary>Reads control API bodies so that unreadable JSON gets a problem saying where and why.</summary>
internal static class ControlJson
{
    /// <summary>The body as <typeparamref name="T"/>; an empty body gives <paramref name="empty"/> (null: required).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, T? empty = null) where T : class
    {
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (buffer.Length == 0)
        {
            return empty is not null
                ? (empty, null)
                : (null, Results.Problem("The request needs a JSON body.", statusCode: StatusCodes.Status400BadRequest, title: "Missing body."));
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options);
            return value is not null
                ? (value, null)
                : (null, Results.Problem("The body is JSON null.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON body."));
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) ? "the body" : ex.Path;
            return (null, Results.ValidationProblem(
                new Dictionary<string, string[]> { [where] = [ex.Message] }, title: "Invalid JSON body."));
        }
    }
}
