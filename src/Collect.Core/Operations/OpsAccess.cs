using System.Net;
using System.Text;
using System.Text.Json;
using Collect.Core.Http;
using Microsoft.AspNetCore.Http;

namespace Collect.Core.Operations;

/// <summary>Who may use the operations API and console.</summary>
public enum OpsAccessMode
{
    /// <summary>Nobody: the operations routes answer 404 (the Functions app without Entra ID set up).</summary>
    Disabled,
    /// <summary>Callers on this machine only (the local runner).</summary>
    Loopback,
    /// <summary>
    /// Callers signed in through App Service authentication (Entra ID), with the app role <see cref="OpsOptions.ReadRole"/>
    /// to read and <see cref="OpsOptions.ActRole"/> to act. The platform sets <c>X-MS-CLIENT-PRINCIPAL</c> and removes any
    /// the client sent; this mode must only be configured where that authentication is on (Bicep does both together).
    /// </summary>
    EntraId,
}

/// <summary>Settings of the operations API, section <c>Ops</c>.</summary>
public sealed class OpsOptions
{
    public const string SectionName = "Ops";

    /// <summary>
    /// Off unless a host says otherwise: behind the Functions host every request reaches the worker from the host's
    /// local proxy, so only the local runner (its appsettings.json) opts into <see cref="OpsAccessMode.Loopback"/>.
    /// </summary>
    public OpsAccessMode Access { get; set; } = OpsAccessMode.Disabled;

    public string ReadRole { get; set; } = "Ops.Read";

    public string ActRole { get; set; } = "Ops.Act";
}

/// <summary>The caller of an operations route, as the audit trail names them.</summary>
public sealed record Operator(string Name, bool CanAct);

/// <summary>Decides whether a request may read or act, and who it is.</summary>
public static class OpsAccess
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";

    /// <summary>The operator, or the problem to answer (401 not signed in, 403 lacking the role, 404 disabled or not local).</summary>
    public static (Operator? Operator, IResult? Denied) Authorize(HttpRequest request, OpsOptions options, bool act)
    {
        switch (options.Access)
        {
            case OpsAccessMode.Loopback:
                var remote = request.HttpContext.Connection.RemoteIpAddress;
                return remote is not null && IPAddress.IsLoopback(remote)
                    ? (new Operator($"local operator ({remote})", CanAct: true), null)
                    : (null, Problems.Status(StatusCodes.Status404NotFound, "Not found.", "The operations API answers on this machine only."));
            case OpsAccessMode.EntraId:
                if (Principal(request) is not { } principal)
                {
                    return (null, Problems.Status(StatusCodes.Status401Unauthorized, "Sign in first.",
                        "The operations API needs an Entra ID sign-in (/.auth/login/aad)."));
                }
                var canAct = principal.Roles.Contains(options.ActRole);
                if (!canAct && (act || !principal.Roles.Contains(options.ReadRole)))
                {
                    return (null, Problems.Status(StatusCodes.Status403Forbidden, "Not allowed.",
                        $"This needs the app role {(act ? options.ActRole : options.ReadRole)}."));
                }
                return (new Operator(principal.Name, canAct), null);
            default:
                return (null, Problems.Status(StatusCodes.Status404NotFound, "Not found.", "The operations API is not enabled."));
        }
    }

    private sealed record SignedIn(string Name, IReadOnlySet<string> Roles);

    /// <summary>The App Service principal: base64 JSON with <c>claims[{typ,val}]</c> and <c>role_typ</c>/<c>name_typ</c>.</summary>
    private static SignedIn? Principal(HttpRequest request)
    {
        var header = request.Headers[PrincipalHeader].ToString();
        if (string.IsNullOrEmpty(header) || header.Length > 16_384)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(header));
            var root = doc.RootElement;
            var roleType = root.TryGetProperty("role_typ", out var rt) ? rt.GetString() : null;
            var nameType = root.TryGetProperty("name_typ", out var nt) ? nt.GetString() : null;
            var roles = new HashSet<string>(StringComparer.Ordinal);
            string? name = null;
            foreach (var claim in root.GetProperty("claims").EnumerateArray())
            {
                var type = claim.GetProperty("typ").GetString();
                var value = claim.GetProperty("val").GetString();
                if (value is null)
                {
                    continue;
                }
                if (type == roleType || type is "roles" or "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
                {
                    roles.Add(value);
                }
                if (type == nameType || (name is null && type is "preferred_username" or "name"))
                {
                    name ??= value;
                }
            }
            var display = request.Headers[PrincipalNameHeader].ToString() is { Length: > 0 } headerName ? headerName : name ?? "signed-in operator";
            return new SignedIn(display.Length > 200 ? display[..200] : display, roles);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Encodes a principal the way App Service does (tests and the local demo).</summary>
    public static string EncodePrincipal(string name, params string[] roles) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "preferred_username",
        role_typ = "roles",
        claims = roles.Select(r => new { typ = "roles", val = r }).Append(new { typ = "preferred_username", val = name }).ToArray(),
    })));
}
