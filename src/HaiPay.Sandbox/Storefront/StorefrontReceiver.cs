using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Storefront;

/// <summary>An event the storefront received, as it saw it.</summary>
public sealed record ReceivedEvent(string? Id, string? Type, int? Sequence, string? OrderId, string? Status, bool Verified,
    DateTimeOffset ReceivedAt, int Answered);

/// <summary>The next deliveries to fail, and how.</summary>
public sealed record StorefrontFailures(int Count, int StatusCode = 500, TimeSpan Hang = default);

/// <summary>
/// A merchant storefront's webhook receiver, beside the sandbox so a newcomer sees the whole loop: it verifies each
/// event's <c>Collect-Signature</c> the way a storefront would (written here independently of the product's code, from
/// the documented scheme: HMAC-SHA256 over <c>"{t}.{body}"</c>, any <c>v1</c>, five minutes' tolerance), answers 200,
/// and keeps what it received. Tests make it fail on demand (<c>PUT /_storefront/failures</c>).
/// </summary>
public sealed class StorefrontReceiver
{
    private const int MaxKept = 2000;
    private readonly List<ReceivedEvent> _received = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private StorefrontFailures? _failures;

    public StorefrontReceiver(IOptions<SandboxOptions> options, TimeProvider time)
    {
        _time = time;
        Secret = options.Value.StorefrontSecret is { Length: > 0 } configured
            ? configured
            : "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    }

    /// <summary>The storefront's signing secret (the product signs with the same one).</summary>
    public string Secret { get; }

    public IReadOnlyList<ReceivedEvent> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public void FailNext(StorefrontFailures failures)
    {
        lock (_gate)
        {
            _failures = failures.Count > 0 ? failures : null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _received.Clear();
            _failures = null;
        }
    }

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_storefront/events", (HttpContext http, StorefrontReceiver receiver) => receiver.ReceiveAsync(http));
        routes.MapGet("/_storefront/events", (StorefrontReceiver receiver) => Results.Ok(receiver.Received));
        routes.MapDelete("/_storefront/events", (StorefrontReceiver receiver) =>
        {
            receiver.Clear();
            return Results.NoContent();
        });
        routes.MapPut("/_storefront/failures", async (HttpContext http, StorefrontReceiver receiver) =>
        {
            var (failures, problem) = await Control.ControlJson.ReadAsync<StorefrontFailures>(http);
            if (failures is null)
            {
                return problem!;
            }
            receiver.FailNext(failures);
            return Results.NoContent();
        });
        routes.MapGet("/_storefront", (StorefrontReceiver receiver) => Results.Content(receiver.Page(), "text/html; charset=utf-8"));
    }

    private async Task<IResult> ReceiveAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var verified = Verify(http.Request.Headers["Collect-Signature"].ToString(), body, Secret, _time.GetUtcNow());
        StorefrontFailures? failing;
        lock (_gate)
        {
            failing = _failures;
            if (failing is not null)
            {
                _failures = failing.Count > 1 ? failing with { Count = failing.Count - 1 } : null;
            }
        }
        if (failing is { Hang: var hang } && hang > TimeSpan.Zero)
        {
            await Task.Delay(hang, http.RequestAborted);
        }
        var answer = failing?.StatusCode ?? (verified ? 200 : 400);
        Keep(Describe(body, verified, answer));
        return Results.StatusCode(answer);
    }

    private void Keep(ReceivedEvent received)
    {
        lock (_gate)
        {
            _received.Add(received);
            if (_received.Count > MaxKept)
            {
                _received.RemoveAt(0);
            }
        }
    }

    private ReceivedEvent Describe(string body, bool verified, int answered)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var data = root.TryGetProperty("data", out var d) ? d : default;
            return new ReceivedEvent(Text(root, "id"), Text(root, "type"),
                root.TryGetProperty("sequence", out var s) && s.TryGetInt32(out var n) ? n : null,
                data.ValueKind == JsonValueKind.Object ? Text(data, "orderId") : null,
                data.ValueKind == JsonValueKind.Object ? Text(data, "status") : null,
                verified, _time.GetUtcNow(), answered);
        }
        catch (JsonException)
        {
            return new ReceivedEvent(null, null, null, null, null, verified, _time.GetUtcNow(), answered);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>What a storefront does: any <c>v1</c> equals HMAC-SHA256(secret, "{t}.{body}") and <c>t</c> is within five minutes.</summary>
    public static bool Verify(string header, string body, string secret, DateTimeOffset now)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        var t = parts.FirstOrDefault(p => p[0] == "t")?[1];
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) ||
            Math.Abs(now.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return parts.Where(p => p[0] == "v1").Any(p =>
        {
            try
            {
                return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(p[1]), expected);
            }
            catch (FormatException)
            {
                return false;
            }
        });
    }

    private string Page()
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"3\">" +
            "<title>Storefront events</title></head><body><h1>Storefront events received</h1><table border=\"1\" cellpadding=\"4\">" +
            "<tr><th>Received (UTC)</th><th>Event</th><th>Type</th><th>Seq</th><th>Order</th><th>Status</th><th>Signature</th><th>Answered</th></tr>");
        foreach (var e in Received.AsEnumerable().Reverse())
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{e.ReceivedAt:yyyy-MM-dd HH:mm:ss}</td><td>{Encode(e.Id)}</td><td>{Encode(e.Type)}</td>" +
                $"<td>{e.Sequence}</td><td>{Encode(e.OrderId)}</td><td>{Encode(e.Status)}</td><td>{(e.Verified ? "verified" : "BAD")}</td><td>{e.Answered}</td></tr>");
        }
        return html.Append("</table></body></html>").ToString();
    }

    private static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");
}
