using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox;

/// <summary>Where the sandbox listens (read from the server once it has started) and the base of its payUrls.</summary>
public sealed class SandboxAddress(IServer server, IOptions<SandboxOptions> options)
{
    private Uri? _baseUrl;

    /// <summary>The first address the server is bound to, e.g. <c>http://127.0.0.1:5180/</c>. Valid once started.</summary>
    public Uri BaseUrl => _baseUrl ??= Read();

    /// <summary><see cref="SandboxOptions.PublicBaseUrl"/>, else <see cref="BaseUrl"/>.</summary>
    public Uri PublicBaseUrl => options.Value.PublicBaseUrl ?? BaseUrl;

    /// <summary>The customer's payment page for an order.</summary>
    public string PayUrl(string orderNo) => new Uri(WithSlash(PublicBaseUrl), "checkout/" + Uri.EscapeDataString(orderNo)).ToString();

    private Uri Read()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The sandbox is not listening yet.");
        return WithSlash(new Uri(address));
    }

    private static Uri WithSlash(Uri uri) => uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
}
