using System.Net;
using Collect.EndToEnd;

namespace Collect.Reliability;

/// <summary>
/// Many orders, HKD and USD, with about a fifth of HaiPay's apply and query answers faulted (5xx, answers slower than
/// the attempt timeout, malformed bodies, bad data signatures, odd data), callbacks dropped, duplicated, delayed and
/// reordered, and customers who pay, fail, pay partially, never pay, or pay after the deadline with every callback
/// lost. Every order must end as HaiPay holds it, none stuck, none applied twice.
/// </summary>
public static class FaultedOrders
{
    private const string Name = "faults";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    private sealed record Plan(string OrderId, string Currency, string? Action, TimeSpan ActionDelay, SandboxCallbacks Callbacks,
        SandboxFault? ApplyFault, SandboxFault? QueryFault, bool PaysLate);

    public static async Task RunAsync(Report report, int seed, int count)
    {
        var random = new Random(seed);
        await using var stack = await CollectStack.StartAsync(new StackSettings
        {
            TaskHub = "relfaults",
            Sandbox = new Dictionary<string, string>
            {
                ["Sandbox:CallbackRetryInterval"] = "00:00:01",
                ["Sandbox:CallbackRetryCount"] = "5",
            },
            Product = Runner.Settings(new Dictionary<string, string>
            {
                ["Collect:QueryBackoff"] = "00:00:02,00:00:04,00:00:08",
                ["Collect:Deadline"] = Deadline.ToString("c"),
                ["Collect:ExpiredRequery"] = "00:00:05*12",
                ["HaiPay:AttemptTimeout"] = "00:00:02",
            }),
        });

        var plans = Enumerable.Range(0, count).Select(i => NewPlan(random, i)).ToList();
        foreach (var plan in plans)
        {
            await stack.Control.SetBehaviourAsync(plan.OrderId, new SandboxBehaviour
            {
                AutoAction = plan.PaysLate ? null : plan.Action,
                AutoActionDelay = plan.ActionDelay,
                Callback = plan.Callbacks,
            });
            foreach (var fault in new[] { plan.ApplyFault, plan.QueryFault }.OfType<SandboxFault>())
            {
                await stack.Control.AddFaultAsync(fault);
            }
        }

        var answers = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        await Truth.ForEachAsync(plans, 20, async plan =>
        {
            var request = plan.Currency == "HKD" ? OrderRequest.Hkd(plan.OrderId) : OrderRequest.Usd(plan.OrderId);
            answers.AddOrUpdate((await stack.Orders.CreateAsync(request)).Status, 1, (_, n) => n + 1);
        });
        report.Figure(Name, "orders (HKD / USD)", $"{plans.Count} ({plans.Count(p => p.Currency == "HKD")} / {plans.Count(p => p.Currency == "USD")})");
        report.Figure(Name, "faulted applies / queries", $"{plans.Count(p => p.ApplyFault is not null)} / {plans.Count(p => p.QueryFault is not null)}");
        report.Figure(Name, "callbacks dropped / duplicated / reordered",
            $"{plans.Count(p => p.Callbacks.Drop)} / {plans.Count(p => p.Callbacks.Copies > 1)} / {plans.Count(p => p.Callbacks.Reorder != "none")}");
        report.Figure(Name, "create answers", string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(int)a.Key}: {a.Value}")));

        // Late payers pay once this product has expired their order, with their callbacks dropped: only the sweep's
        // re-query can find them. Each pays after its own expiry (not at one fixed time after all the creates), so the
        // test does not depend on how long the creates took on a slow machine.
        var notExpired = 0;
        await Truth.ForEachAsync(plans.Where(p => p.PaysLate), 10, async plan =>
        {
            var until = DateTimeOffset.UtcNow + Deadline + TimeSpan.FromMinutes(2);
            while ((await stack.Orders.GetAsync(plan.OrderId))?.Status != "Expired" && DateTimeOffset.UtcNow < until)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            if ((await stack.Orders.GetAsync(plan.OrderId))?.Status != "Expired")
            {
                Interlocked.Increment(ref notExpired);
            }
            await stack.Control.ActAsync(plan.OrderId, "pay");
        });
        report.Figure(Name, "late payers (not Expired here when they paid)", $"{plans.Count(p => p.PaysLate)} ({notExpired})");

        var stuck = await Truth.WaitUntilAllMatchAsync(stack, plans.Select(p => p.OrderId).ToList(), TimeSpan.FromMinutes(3));
        var counters = new List<ProviderCounters>();
        foreach (var plan in plans)
        {
            counters.Add(await stack.Control.CountersAsync(plan.OrderId));
        }
        var finals = new Dictionary<string, int>();
        foreach (var plan in plans)
        {
            var status = (await stack.Orders.GetAsync(plan.OrderId))?.Status ?? "missing";
            finals[status] = finals.GetValueOrDefault(status) + 1;
        }
        report.Figure(Name, "final statuses", string.Join(", ", finals.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}")));
        report.Figure(Name, "HaiPay calls per order (applies / queries)",
            $"{counters.Average(c => c.Applies):F2} / {counters.Average(c => c.Queries):F2}");
        report.Check(Name, "every order ends as HaiPay holds it (0 stuck, 0 wrong)", stuck.Count == 0,
            stuck.Count == 0 ? $"{plans.Count} of {plans.Count}" : $"{stuck.Count} not: {string.Join("; ", stuck.Take(5))}");
        var duplicates = counters.Count(c => c.AppliesAccepted > 1);
        report.Check(Name, "no order applied twice at HaiPay", duplicates == 0, $"{duplicates} orders with more than one accepted apply");
        var late = plans.Where(p => p.PaysLate).Select(p => p.OrderId).ToHashSet();
        report.Check(Name, "late payments with every callback lost end Succeeded (sweep re-query)",
            stuck.All(s => !late.Contains(s.Split(':')[0])), $"{late.Count} late payers");
    }

    private static Plan NewPlan(Random random, int index)
    {
        var orderId = OrderRequest.NewOrderId($"rf{index:D3}");
        var roll = random.NextDouble();
        var (action, late) = roll switch
        {
            < 0.55 => ("pay", false),
            < 0.70 => ("fail", false),
            < 0.75 => ("partial", false),
            < 0.92 => (null, false),
            _ => ("pay", true),
        };
        var callbacks = random.NextDouble() switch
        {
            < 0.10 => new SandboxCallbacks { Drop = true },
            < 0.20 => new SandboxCallbacks { Copies = random.Next(2, 4) },
            < 0.25 => new SandboxCallbacks { Reorder = "stale" },
            < 0.30 => new SandboxCallbacks { Reorder = "contradicting" },
            < 0.40 => new SandboxCallbacks { Delay = TimeSpan.FromMilliseconds(random.Next(200, 3000)) },
            _ => new SandboxCallbacks(),
        };
        if (late)
        {
            callbacks = new SandboxCallbacks { Drop = true };
        }
        return new Plan(orderId, random.Next(2) == 0 ? "HKD" : "USD", action, TimeSpan.FromMilliseconds(random.Next(300, 8000)), callbacks,
            random.NextDouble() < 0.2 ? Fault(random, "apply", orderId) : null,
            random.NextDouble() < 0.2 ? Fault(random, "query", orderId) : null,
            late);
    }

    private static SandboxFault Fault(Random random, string endpoint, string orderId)
    {
        var kinds = endpoint == "apply"
            ? new[] { "serverError", "timeout", "malformedJson", "badSignature" }
            : ["serverError", "timeout", "malformedJson", "badSignature", "alterData"];
        var kind = kinds[random.Next(kinds.Length)];
        return new SandboxFault
        {
            Endpoint = endpoint,
            Kind = kind,
            OrderId = orderId,
            Count = endpoint == "apply" ? 1 : random.Next(1, 4),
            Hang = kind == "timeout" ? TimeSpan.FromSeconds(3) : null,
            StatusCode = kind == "serverError" ? 503 : null,
            Data = kind == "alterData" ? new Dictionary<string, string?> { ["payTime"] = "not a time", ["fee"] = "n/a" } : null,
        };
    }
}
