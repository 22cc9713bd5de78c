using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Collect.EndToEnd;

/// <summary>The product's orders API over HTTP, as a storefront calls it.</summary>
public sealed class OrdersApi : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public OrdersApi(Uri baseUrl)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary><c>POST /api/orders</c>; the answer's status code, body and Location, whatever the status.</summary>
    public async Task<CreateAnswer> CreateAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("api/orders", request, Json, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new CreateAnswer(response.StatusCode, body, response.Headers.Location, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary><c>GET /api/orders/{orderId}</c>; null on 404.</summary>
    public async Task<OrderView?> GetAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"api/orders/{Uri.EscapeDataString(orderId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<OrderView>(Json, cancellationToken);
    }

    /// <summary>Raw <c>POST /api/haipay/notify</c>, as HaiPay (or a forger) sends it.</summary>
    public async Task<(HttpStatusCode Status, string Body)> NotifyAsync(string json, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("api/haipay/notify", content, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>
    /// Readiness wait: polls the order until <paramref name="condition"/> holds and returns that view. Gives up after
    /// <paramref name="timeout"/> with the last view in the message (the test then fails on readiness, not on time).
    /// </summary>
    public async Task<OrderView> WaitForAsync(string orderId, Func<OrderView, bool> condition, string what, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var giveUp = DateTime.UtcNow + timeout;
        OrderView? last = null;
        while (true)
        {
            last = await GetAsync(orderId, cancellationToken) ?? last;
            if (last is not null && condition(last))
            {
                return last;
            }
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Order {orderId} never became {what} within {timeout}; last view: {last}");
            }
            await Task.Delay(150, cancellationToken);
        }
    }

    /// <summary>Waits for a status of the contract (Succeeded, Failed, NeedsReview, Expired, AwaitingPayment, ...).</summary>
    public Task<OrderView> WaitForStatusAsync(string orderId, string status, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForAsync(orderId, view => view.Status == status, status, timeout, cancellationToken);

    /// <summary>An operations API call (<c>/api/ops/...</c>): status and body, whatever the status.</summary>
    public async Task<(HttpStatusCode Status, string Body)> OpsAsync(HttpMethod method, string path, object? body = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, "api/ops/" + path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        using var response = await _http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The answer to a create: status code, raw body (view or problem details), Location, media type.</summary>
public sealed record CreateAnswer(HttpStatusCode Status, string Body, Uri? Location, string? MediaType)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The order view in the body (201, 202, 200).</summary>
    public OrderView View => JsonSerializer.Deserialize<OrderView>(Body, Json)
        ?? throw new InvalidOperationException($"No order view in: {Body}");

    /// <summary>The body as JSON (problem details for 4xx).</summary>
    public JsonElement Document => JsonDocument.Parse(Body).RootElement.Clone();

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>The body of <c>POST /api/orders</c> (HaiPay's apply field names plus currency).</summary>
public sealed record OrderRequest(
    string OrderId,
    string Currency,
    string Amount,
    string PayType,
    string InBankCode,
    string Name,
    string Phone,
    string Email,
    string PartnerUserId,
    string CallBackUrl,
    string CallBackFailUrl,
    string? Subject = null,
    string? Body = null)
{
    /// <summary>A valid HKD AlipayHK order.</summary>
    public static OrderRequest Hkd(string orderId, string amount = "128.50", string callBackUrl = "https://shop.example.com/paid",
        string callBackFailUrl = "https://shop.example.com/failed") =>
        new(orderId, "HKD", amount, "EWALLET", "ALIPAY_HKD", "Chan TaiMan", "91234567", "tai.man@example.com", "user-1001",
            callBackUrl, callBackFailUrl, "Order " + orderId);

    /// <summary>A valid USD AlipayHK order.</summary>
    public static OrderRequest Usd(string orderId, string amount = "12.34") =>
        new(orderId, "USD", amount, "BANK_TRANSFER", "ALIPAY_USD", "Chan TaiMan", "91234567", "tai.man@example.com", "user-1001",
            "https://shop.example.com/paid", "https://shop.example.com/failed", "Order " + orderId);

    /// <summary>A unique orderId (at most 48 characters) with a readable prefix.</summary>
    public static string NewOrderId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(48, prefix.Length + 33)];
}

/// <summary>The order view of the HTTP contract.</summary>
public sealed record OrderView(
    string OrderId,
    string Currency,
    string Amount,
    string PayType,
    string InBankCode,
    string Status,
    int? ProviderStatus,
    string? OrderNo,
    string? PayUrl,
    string? ActualAmount,
    string? Fee,
    DateTimeOffset? PayTime,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ResolutionNote = null,
    DateTimeOffset? ResolvedAt = null);
