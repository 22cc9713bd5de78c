using System.Diagnostics;
using System.Net;
using System.Text;
using Collect.EndToEnd;

namespace Collect.Reliability;

/// <summary>
/// The anonymous webhook under a flood: over a thousand unsigned callbacks naming orders that wait for their customers,
/// and replays of a real signed callback. HaiPay queries and audit rows must stay within the documented bounds
/// (one nudge per order per window, five stored per order per window) and no order may change.
/// </summary>
public static class NotifyFlood
{
    private const string Name = "flood";
    private const int Orders = 20;
    private const int PerOrder = 60;

    public static async Task RunAsync(Report report)
    {
        await using var stack = await CollectStack.StartAsync(new StackSettings
        {
            TaskHub = "relflood",
            Sandbox = new Dictionary<string, string> { ["Sandbox:CallbackRetryInterval"] = "00:00:01" },
            // One scheduled query at once (HaiPay's "0" recorded), then none within the run: every later query a
            // waiting order gets is caused by a callback.
            Product = Runner.Settings(new Dictionary<string, string>
            {
                ["Collect:QueryBackoff"] = "00:00:01,00:10:00",
                ["Collect:Deadline"] = "00:20:00",
            }),
        });
        var waiting = Enumerable.Range(0, Orders).Select(i => OrderRequest.NewOrderId($"fl{i:D2}")).ToList();
        foreach (var orderId in waiting)
        {
            await stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
        }
        var paid = OrderRequest.NewOrderId("flpaid");
        await stack.Orders.CreateAsync(OrderRequest.Hkd(paid));
        await stack.Control.ActAsync(paid, "pay");
        await stack.Orders.WaitForStatusAsync(paid, "Succeeded", TimeSpan.FromSeconds(90));
        var queriedBefore = new Dictionary<string, long>();
        foreach (var orderId in waiting)
        {
            await stack.Orders.WaitForAsync(orderId, v => v.ProviderStatus == 0, "queried once", TimeSpan.FromSeconds(90));
            queriedBefore[orderId] = (await stack.Control.CountersAsync(orderId)).Queries;
        }
        var before = await SnapshotAsync(stack, waiting);

        using var http = new HttpClient { BaseAddress = stack.Product.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var codes = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var callbacks = waiting.SelectMany(orderId => Enumerable.Range(0, PerOrder).Select(i =>
            $$"""{"appId":{{stack.Sandbox.AppIds["HKD"]}},"currency":"HKD","orderId":"{{orderId}}","orderNo":"X{{i}}","amount":"128.50","status":2,"sign":"forged-{{i}}"}"""));
        await Truth.ForEachAsync(callbacks, 16, async body =>
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("api/haipay/notify", new StringContent(body, Encoding.UTF8, "application/json"));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            codes.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        });
        var floodSeconds = clock.Elapsed.TotalSeconds;
        var sent = Orders * PerOrder;

        // Replays of a genuine signed callback (the sandbox delivers the same signed body again).
        var queriesBeforeReplays = (await stack.Control.CountersAsync(paid)).Queries;
        for (var i = 0; i < 20; i++)
        {
            await stack.Control.ActAsync(paid, "resend-callback");
        }
        for (var wait = 0; wait < 120 && (await stack.Control.CountersAsync(paid)).CallbacksAcknowledged < 21; wait++)
        {
            await Task.Delay(500);
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // the nudged orchestrations' queries land

        var queries = new List<long>();
        var auditRows = new List<int>();
        foreach (var orderId in waiting)
        {
            queries.Add((await stack.Control.CountersAsync(orderId)).Queries - queriedBefore[orderId]);
            auditRows.Add((await stack.Stored.AuditAsync(orderId)).Count(a => a.Kind is "CallbackReceived" or "CallbacksSuppressed"));
        }
        var after = await SnapshotAsync(stack, waiting);
        var sorted = latencies.Order().ToList();
        report.Figure(Name, "unsigned callbacks sent", $"{sent} to {Orders} waiting orders in {floodSeconds:F1} s ({sent / floodSeconds:F0}/s)");
        report.Figure(Name, "answers", string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}")));
        report.Figure(Name, "webhook latency p50 / p99", $"{sorted[sorted.Count / 2]:F0} ms / {sorted[(int)(sorted.Count * 0.99)]:F0} ms");
        report.Figure(Name, "HaiPay queries per order (max)", $"{queries.Max()} (sum {queries.Sum()} for {sent} callbacks)");
        report.Figure(Name, "callback audit rows per order (max)", $"{auditRows.Max()} for {PerOrder} callbacks");
        report.Check(Name, "every unsigned callback is answered 401", codes.Keys.SequenceEqual([401]), string.Join(",", codes.Keys));
        var windows = Math.Max(1, (int)Math.Ceiling(floodSeconds / 60));
        report.Check(Name, "at most one HaiPay query per order per window", queries.Max() <= windows, $"max {queries.Max()}, windows {windows}");
        report.Check(Name, "at most 5 stored (+1 count) per order per window", auditRows.Max() <= 6 * windows, $"max {auditRows.Max()}");
        report.Check(Name, "no waiting order changed", before.SequenceEqual(after), $"{before.Count} orders");
        var replayQueries = (await stack.Control.CountersAsync(paid)).Queries - queriesBeforeReplays;
        report.Figure(Name, "signed replays: queries caused", $"{replayQueries} for 20 replays");
        report.Check(Name, "replays of a signed callback change nothing and query nothing",
            replayQueries == 0 && (await stack.Orders.GetAsync(paid))!.Status == "Succeeded", $"{replayQueries} queries");
    }

    private static async Task<List<string>> SnapshotAsync(CollectStack stack, IEnumerable<string> orderIds)
    {
        var rows = new List<string>();
        foreach (var orderId in orderIds)
        {
            var view = (await stack.Orders.GetAsync(orderId))!;
            rows.Add($"{orderId} {view.Status} {view.ProviderStatus} {view.UpdatedAt:O}");
        }
        return rows;
    }
}
