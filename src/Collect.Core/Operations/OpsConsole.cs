using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>
/// The operations console: one page, its script and its style sheet, embedded in this assembly and served with a
/// strict Content-Security-Policy (nothing but these files; no inline code, no external origin).
/// </summary>
public sealed class OpsConsole(IOptions<OpsOptions> options)
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly IReadOnlyDictionary<string, (string Resource, string ContentType)> Assets = new Dictionary<string, (string, string)>
    {
        ["page"] = ("console.html", "text/html; charset=utf-8"),
        ["console.js"] = ("console.js", "text/javascript; charset=utf-8"),
        ["console.css"] = ("console.css", "text/css; charset=utf-8"),
    };

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Loaded = new(() => Assets.ToDictionary(a => a.Key, a =>
    {
        using var stream = typeof(OpsConsole).Assembly.GetManifestResourceStream($"Collect.Core.Operations.Console.{a.Value.Resource}")
            ?? throw new InvalidOperationException($"The console asset {a.Value.Resource} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }));

    /// <summary>The page (<paramref name="asset"/> null) or one of its files; the same read access as the API.</summary>
    public IResult Serve(HttpRequest request, string? asset)
    {
        var (_, denied) = OpsAccess.Authorize(request, options.Value, act: false);
        if (denied is not null)
        {
            return asset is null && options.Value.Access == OpsAccessMode.EntraId
                ? Results.Redirect("/.auth/login/aad?post_login_redirect_uri=" + Uri.EscapeDataString(request.Path))
                : denied;
        }
        var key = asset ?? "page";
        if (!Assets.TryGetValue(key, out var found))
        {
            return Http.Problems.Status(StatusCodes.Status404NotFound, "Not found.", "No such console file.");
        }
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Bytes(Loaded.Value[key], found.ContentType);
    }
}
