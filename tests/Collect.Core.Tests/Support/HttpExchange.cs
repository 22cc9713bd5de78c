using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Collect.Core.Tests.Support;

/// <summary>A response written by an <see cref="IResult"/> into a real <see cref="DefaultHttpContext"/>.</summary>
public sealed record HttpExchange(int Status, string? ContentType, string Body, IHeaderDictionary Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>A POST request with a body, as the server would hand it to a handler.</summary>
    public static HttpRequest Post(IServiceProvider services, string body, string contentType = "application/json")
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        return context.Request;
    }

    public static HttpRequest PostJson(IServiceProvider services, object body) => Post(services, JsonSerializer.Serialize(body));

    /// <summary>Executes the result against the request's context and reads back what a client would see.</summary>
    public static async Task<HttpExchange> ExecuteAsync(IResult result, IServiceProvider services)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return new HttpExchange(context.Response.StatusCode, context.Response.ContentType,
            Encoding.UTF8.GetString(body.ToArray()), context.Response.Headers);
    }
}
