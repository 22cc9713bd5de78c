using Microsoft.AspNetCore.Http;

namespace Collect.Core.Callbacks;

/// <summary>
/// The address a request came from, as far as it can be trusted. Behind Azure's front end the client's address is
/// the last <c>X-Forwarded-For</c> entry, the one the platform appended; every earlier entry was written by the client
/// and proves nothing. Without a front end (the local runner) the header is the client's own and is ignored.
/// </summary>
public static class RemoteAddress
{
    public static string? Of(HttpRequest request, bool trustForwardedFor)
    {
        if (trustForwardedFor)
        {
            var hops = request.Headers["X-Forwarded-For"].ToString()
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (hops.Length > 0)
            {
                return hops[^1];
            }
        }
        return request.HttpContext.Connection.RemoteIpAddress?.ToString();
    }
}
