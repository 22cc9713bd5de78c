using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Collect.EndToEnd;

/// <summary>
/// The sandbox's control API (<c>/_sandbox/...</c>, see docs/sandbox.md): per-order behaviours, faults, counters and
/// direct order actions (pay, fail, partial, confirm, ...).
/// </summary>
public sealed class SandboxControl : IDisposable
{
    /// <summary>The control API's JSON: camelCase names, enums as camelCase strings, TimeSpans as "00:00:01".</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;

    public SandboxControl(Uri baseUrl)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Gives one orderId its own behaviour (before its apply).</summary>
    public Task SetBehaviourAsync(string orderId, SandboxBehaviour behaviour, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"_sandbox/behaviour/{Uri.EscapeDataString(orderId)}", behaviour, cancellationToken);

    /// <summary>The behaviour of orders without their own.</summary>
    public Task SetDefaultBehaviourAsync(SandboxBehaviour behaviour, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "_sandbox/behaviour", behaviour, cancellationToken);

    /// <summary>Arms a fault on apply or query requests.</summary>
    public Task AddFaultAsync(SandboxFault fault, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "_sandbox/faults", fault, cancellationToken);

    /// <summary>Changes one payment method at run time: <c>state</c> (available|maintenance), <c>min</c>, <c>max</c>.</summary>
    public Task ChangeMethodAsync(string currency, string inBankCode, object change, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"_sandbox/methods/{currency}/{Uri.EscapeDataString(inBankCode)}", change, cancellationToken);

    /// <summary>Settles or confirms an order: <c>pay</c>, <c>fail</c>, <c>partial</c>, <c>over</c>, <c>confirm</c>, <c>resend-callback</c>.</summary>
    public Task ActAsync(string orderId, string action, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"_sandbox/orders/{Uri.EscapeDataString(orderId)}/{action}", new { }, cancellationToken);

    /// <summary>The sandbox's view of an order (its own status, amounts and counters); null when it has none.</summary>
    public async Task<SandboxOrder?> OrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"_sandbox/orders/{Uri.EscapeDataString(orderId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<SandboxOrder>(Json, cancellationToken);
    }

    /// <summary>Requests and callbacks about one orderId.</summary>
    public Task<ProviderCounters> CountersAsync(string orderId, CancellationToken cancellationToken = default) =>
        GetAsync<ProviderCounters>($"_sandbox/counters/{Uri.EscapeDataString(orderId)}", cancellationToken);

    /// <summary>Readiness: polls <c>/_sandbox/health</c> until it answers.</summary>
    public async Task WaitUntilHealthyAsync(ChildProcess process, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sandbox exited with code {process.ExitCode}:\n{process.OutputSince()}");
            }
            try
            {
                using var response = await _http.GetAsync("_sandbox/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>What the storefront receiver beside the sandbox got (<c>GET /_storefront/events</c>).</summary>
    public Task<List<StorefrontEvent>> StorefrontEventsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<List<StorefrontEvent>>("_storefront/events", cancellationToken);

    /// <summary>Makes the next <paramref name="count"/> deliveries to the storefront answer <paramref name="statusCode"/> (after <paramref name="hang"/>).</summary>
    public Task FailStorefrontAsync(int count, int statusCode = 503, TimeSpan hang = default, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "_storefront/failures", new { count, statusCode, hang }, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    private async Task SendAsync<T>(HttpMethod method, string path, T body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Json) };
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: " +
                await response.Content.ReadAsStringAsync(cancellationToken));
        }
    }
}

/// <summary>What the sandbox does with an order by itself (the control API's behaviour object).</summary>
public sealed record SandboxBehaviour
{
    /// <summary><c>pay</c>, <c>fail</c>, <c>partial</c> or <c>over</c> after <see cref="AutoActionDelay"/>; null waits for the customer.</summary>
    public string? AutoAction { get; init; }
    public TimeSpan AutoActionDelay { get; init; }
    /// <summary>When positive, a settled order reports -1 for this long before its final status.</summary>
    public TimeSpan PendingConfirmation { get; init; }
    public SandboxCallbacks Callback { get; init; } = new();
}

/// <summary>How final callbacks are delivered.</summary>
public sealed record SandboxCallbacks
{
    public bool Drop { get; init; }
    public int Copies { get; init; } = 1;
    public TimeSpan Delay { get; init; }
    /// <summary><c>none</c>, <c>stale</c> or <c>contradicting</c>: an extra callback after the final one.</summary>
    public string Reorder { get; init; } = "none";
}

/// <summary>A fault on <c>apply</c> or <c>query</c>: <c>timeout</c>, <c>serverError</c>, <c>malformedJson</c>, <c>badSignature</c>, <c>businessError</c>.</summary>
public sealed record SandboxFault
{
    public required string Endpoint { get; init; }
    public required string Kind { get; init; }
    public int? Count { get; init; }
    public string? OrderId { get; init; }
    public TimeSpan? Hang { get; init; }
    public int? StatusCode { get; init; }
    public string? ErrorCode { get; init; }
    public string? Message { get; init; }
    /// <summary><c>alterData</c>: the query data fields to set (null removes one).</summary>
    public Dictionary<string, string?>? Data { get; init; }
}

/// <summary>The sandbox's request and callback counts (for one orderId or in total).</summary>
public sealed record ProviderCounters(
    long Applies,
    long AppliesAccepted,
    long Queries,
    long CallbacksSent,
    long CallbacksAcknowledged,
    long CallbacksDropped,
    long CallbacksAbandoned);

/// <summary>An order as the sandbox sees it.</summary>
public sealed record SandboxOrder(
    string Currency, long AppId, string OrderId, string OrderNo, string Amount, int Status, string StatusName,
    string CollectedAmount, string Fee, string? ErrorMsg, string? NotifyUrl);

/// <summary>An event as the storefront receiver recorded it.</summary>
public sealed record StorefrontEvent(string? Id, string? Type, int? Sequence, string? OrderId, string? Status, bool Verified,
    DateTimeOffset ReceivedAt, int Answered);
