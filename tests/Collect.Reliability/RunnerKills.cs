using System.Diagnostics;
using System.Net;
using Collect.EndToEnd;

namespace Collect.Reliability;

/// <summary>
/// kill -9 of the runner twice: with orders in flight (HaiPay settles them while it is down), and in the middle of a
/// burst of creates. Nobody replays a request: every order that was stored must still end as HaiPay holds it, through
/// the resumed orchestrations and the reconciliation sweep alone.
/// </summary>
public static class RunnerKills
{
    private const string Name = "kills";

    public static async Task RunAsync(Report report, int seed)
    {
        var random = new Random(seed + 1);
        await using var stack = await CollectStack.StartAsync(new StackSettings
        {
            TaskHub = "relkills",
            Sandbox = new Dictionary<string, string>
            {
                ["Sandbox:CallbackRetryInterval"] = "00:00:02",
                ["Sandbox:CallbackRetryCount"] = "100",
            },
            Product = Runner.Settings(new Dictionary<string, string>
            {
                ["Collect:QueryBackoff"] = "00:00:05,00:00:10",
                ["Collect:Deadline"] = "00:10:00",
            }),
        });

        // 1. 120 orders waiting for their customers; the runner dies; HaiPay settles them meanwhile.
        var inFlight = Enumerable.Range(0, 120).Select(i => OrderRequest.NewOrderId($"rk{i:D3}")).ToList();
        foreach (var orderId in inFlight)
        {
            await stack.Control.SetBehaviourAsync(orderId, new SandboxBehaviour
            {
                AutoAction = random.NextDouble() < 0.8 ? "pay" : "fail",
                AutoActionDelay = TimeSpan.FromSeconds(random.Next(4, 25)),
                Callback = new SandboxCallbacks { Drop = random.NextDouble() < 0.3 },
            });
        }
        await Truth.ForEachAsync(inFlight, 20, async orderId =>
        {
            var created = await stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
            if (created.Status is not (HttpStatusCode.Created or HttpStatusCode.Accepted))
            {
                throw new InvalidOperationException($"create {orderId}: {created}");
            }
        });
        var final = 0;
        foreach (var orderId in inFlight)
        {
            final += Truth.Final.Contains((await stack.Orders.GetAsync(orderId))!.Status) ? 1 : 0;
        }
        stack.Product.Kill();
        var killedAt = Stopwatch.StartNew();
        report.Figure(Name, "orders in flight at kill -9 (already final)", $"{inFlight.Count} ({final})");
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stack.Product.StartAsync(CancellationToken.None);
        var stuck = await Truth.WaitUntilAllMatchAsync(stack, inFlight, TimeSpan.FromMinutes(4));
        report.Figure(Name, "in flight: all settled after restart", $"{killedAt.Elapsed.TotalSeconds:F0} s after the kill");
        report.Check(Name, "orders in flight at a kill -9 end as HaiPay holds them, no replay", stuck.Count == 0,
            stuck.Count == 0 ? $"{inFlight.Count} of {inFlight.Count}" : $"{stuck.Count} not: {string.Join("; ", stuck.Take(5))}");
        await CheckSingleApplyAsync(report, stack, inFlight, "in flight");

        // 2. A burst of creates, and the runner dies while it is being served.
        await stack.Control.SetDefaultBehaviourAsync(new SandboxBehaviour { AutoAction = "pay", AutoActionDelay = TimeSpan.FromSeconds(1) });
        var burst = Enumerable.Range(0, 80).Select(i => OrderRequest.NewOrderId($"rb{i:D3}")).ToList();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        using var client = new HttpClient { BaseAddress = stack.Product.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var creates = Truth.ForEachAsync(burst, 40, async orderId =>
        {
            try
            {
                using var response = await client.PostAsync("api/orders", System.Net.Http.Json.JsonContent.Create(OrderRequest.Hkd(orderId),
                    options: new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
                answers[orderId] = ((int)response.StatusCode).ToString();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                answers[orderId] = "connection lost";
            }
        });
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        stack.Product.Kill();
        killedAt.Restart();
        await creates;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stack.Product.StartAsync(CancellationToken.None);

        var stored = new List<string>();
        foreach (var orderId in burst)
        {
            if (await stack.Orders.GetAsync(orderId) is not null)
            {
                stored.Add(orderId);
            }
        }
        report.Figure(Name, "burst: creates answered / lost with the process / stored",
            $"{answers.Count(a => a.Value != "connection lost")} / {answers.Count(a => a.Value == "connection lost")} / {stored.Count} of {burst.Count}");
        var pendingAtRestart = 0;
        foreach (var orderId in stored)
        {
            pendingAtRestart += (await stack.Orders.GetAsync(orderId))!.Status == "Pending" ? 1 : 0;
        }
        report.Figure(Name, "burst: stored orders still Pending at restart", pendingAtRestart);
        var burstStuck = await Truth.WaitUntilAllMatchAsync(stack, stored, TimeSpan.FromMinutes(4));
        report.Figure(Name, "burst: all settled", $"{killedAt.Elapsed.TotalSeconds:F0} s after the kill");
        report.Check(Name, "every order stored during a killed burst ends Succeeded with no client replay", burstStuck.Count == 0,
            burstStuck.Count == 0 ? $"{stored.Count} of {stored.Count}" : $"{burstStuck.Count} not: {string.Join("; ", burstStuck.Take(5))}");
        var neverStored = burst.Except(stored).ToList();
        var appliedWithoutOrder = 0;
        foreach (var orderId in neverStored)
        {
            appliedWithoutOrder += (await stack.Control.CountersAsync(orderId)).Applies > 0 ? 1 : 0;
        }
        report.Check(Name, "no order reaches HaiPay without being stored first", appliedWithoutOrder == 0, $"{neverStored.Count} never stored");
        await CheckSingleApplyAsync(report, stack, stored, "burst");
    }

    private static async Task CheckSingleApplyAsync(Report report, CollectStack stack, IEnumerable<string> orderIds, string what)
    {
        var twice = 0;
        foreach (var orderId in orderIds)
        {
            twice += (await stack.Control.CountersAsync(orderId)).AppliesAccepted > 1 ? 1 : 0;
        }
        report.Check(Name, $"{what}: no order applied twice at HaiPay", twice == 0, $"{twice} applied twice");
    }
}
