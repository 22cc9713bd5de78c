using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Collect.EndToEnd;

namespace Collect.Benchmark;

/// <summary>
/// Orders through the local runner as a storefront sends them: POST /api/orders, then (only on 202) GET until the
/// payUrl appears, then GET every <see cref="FinalPollInterval"/> until a final status.
/// </summary>
public static class ProductLoad
{
    public static readonly TimeSpan PayUrlPollInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan FinalPollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly HashSet<string> FinalStatuses = ["Succeeded", "Failed", "NeedsReview", "Rejected", "Expired"];

    public static Task<LoadResult> RunAsync(OrdersApi orders, string prefix, int count, int concurrency) =>
        LoadResult.RunAsync(count, concurrency, index => OneAsync(orders, OrderRequest.NewOrderId($"{prefix}{index:D4}")));

    private static async Task<OrderOutcome> OneAsync(OrdersApi orders, string orderId)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var reads = 0;
        var created = await orders.CreateAsync(OrderRequest.Hkd(orderId));
        if (created.Status is not (HttpStatusCode.Created or HttpStatusCode.Accepted))
        {
            throw new InvalidOperationException($"Create {orderId} answered {created}");
        }
        TimeSpan? toPayUrl = created.View.PayUrl is null ? null : clock.Elapsed;
        var view = created.View;
        while (!FinalStatuses.Contains(view.Status))
        {
            await Task.Delay(toPayUrl is null ? PayUrlPollInterval : FinalPollInterval);
            reads++;
            view = await orders.GetAsync(orderId) ?? throw new InvalidOperationException($"Order {orderId} disappeared.");
            if (toPayUrl is null && view.PayUrl is not null)
            {
                toPayUrl = clock.Elapsed;
            }
        }
        return new OrderOutcome(orderId, startedAt, toPayUrl, clock.Elapsed, view.Status, reads);
    }
}

/// <summary>The runner's key-source counters (<c>GET /_runner/key-source</c>).</summary>
public sealed record KeySourceCounts(long Gets, long Refreshes, long Loads, long? KeyVaultSecretReads)
{
    public static async Task<KeySourceCounts> ReadAsync(Uri runner)
    {
        using var http = new HttpClient { BaseAddress = runner };
        return (await http.GetFromJsonAsync<KeySourceCounts>("_runner/key-source", SandboxControl.Json))!;
    }

    public static KeySourceCounts operator -(KeySourceCounts after, KeySourceCounts before) => new(
        after.Gets - before.Gets, after.Refreshes - before.Refreshes, after.Loads - before.Loads,
        after.KeyVaultSecretReads - before.KeyVaultSecretReads);
}
