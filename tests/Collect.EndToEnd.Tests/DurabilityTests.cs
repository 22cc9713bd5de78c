using System.Net;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>
/// The runner is stopped (SIGTERM) or killed (SIGKILL) while orders wait, HaiPay settles them while it is down, and a new runner process
/// with the same settings picks every orchestration up: each order ends as it would have without the crash.
/// Own stack, because it kills the runner.
/// </summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private CollectStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CollectStack.StartAsync(new StackSettings
    {
        TaskHub = "e2edurable",
        Sandbox = new Dictionary<string, string>
        {
            // HaiPay keeps retrying callbacks while the runner is down.
            ["Sandbox:CallbackRetryInterval"] = "00:00:01",
            ["Sandbox:CallbackRetryCount"] = "120",
        },
        Product = new Dictionary<string, string>
        {
            ["Collect:QueryBackoff"] = "00:00:02,00:00:03",
            ["Collect:Deadline"] = "00:05:00",
        },
    });

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    [Trait(ProductHost.RunnerOnlyTrait, ProductHost.RunnerOnly)] // The exit code and output checked are the runner's.
    public Task A_graceful_stop_exits_cleanly_and_the_next_start_carries_on() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("sigterm");
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);
        await _stack.Orders.WaitForAsync(orderId, v => v.ProviderStatus == 0, "queried once", Scenario.Patience);

        await _stack.Product.StopAsync();

        var stopped = _stack.Product.Runs[^1];
        Assert.Equal(0, stopped.ExitCode);
        Assert.DoesNotContain("Unhandled exception", stopped.OutputSince());
        await _stack.Product.StartAsync(CancellationToken.None);
        await _stack.Control.ActAsync(orderId, "pay");
        Assert.Equal("128.50", (await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience)).ActualAmount);
    });

    [Fact]
    public Task Orders_waiting_when_the_runner_is_killed_reach_the_same_final_status_after_a_restart() => _stack.RunAsync(output, async () =>
    {
        var paidNotified = OrderRequest.NewOrderId("kill-paid");
        var paidSilently = OrderRequest.NewOrderId("kill-paid-nocb");
        var failed = OrderRequest.NewOrderId("kill-failed");
        var partialSilently = OrderRequest.NewOrderId("kill-partial-nocb");
        var confirmedWhileDown = OrderRequest.NewOrderId("kill-pending");
        var paidAfterRestart = OrderRequest.NewOrderId("kill-later");
        var silent = new SandboxBehaviour { Callback = new SandboxCallbacks { Drop = true } };
        await _stack.Control.SetBehaviourAsync(paidSilently, silent);
        await _stack.Control.SetBehaviourAsync(partialSilently, silent);
        await _stack.Control.SetBehaviourAsync(confirmedWhileDown, new SandboxBehaviour { PendingConfirmation = TimeSpan.FromMinutes(10) });
        string[] orders = [paidNotified, paidSilently, failed, partialSilently, confirmedWhileDown, paidAfterRestart];
        foreach (var orderId in orders)
        {
            var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
            Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        }
        await _stack.Control.ActAsync(confirmedWhileDown, "pay");
        await _stack.Orders.WaitForAsync(confirmedWhileDown, v => v.ProviderStatus == -1, "pending confirmation (-1)", Scenario.Patience);

        _stack.Product.Kill();
        Assert.True(_stack.Product.Runs[^1].HasExited);

        await _stack.Control.ActAsync(paidNotified, "pay");
        await _stack.Control.ActAsync(paidSilently, "pay");
        await _stack.Control.ActAsync(failed, "fail");
        await _stack.Control.ActAsync(partialSilently, "partial");
        await _stack.Control.ActAsync(confirmedWhileDown, "confirm");
        // Readiness: HaiPay has tried (and failed) to deliver a callback to the dead runner.
        await Scenario.WaitForAsync(() => _stack.Control.CountersAsync(paidNotified),
            c => c.CallbacksSent >= 1, "tried a callback while the runner was down");
        Assert.Equal(0, (await _stack.Control.CountersAsync(paidNotified)).CallbacksAcknowledged);

        await _stack.Product.StartAsync(CancellationToken.None);
        await _stack.Control.ActAsync(paidAfterRestart, "pay");

        var expected = new Dictionary<string, string>
        {
            [paidNotified] = "Succeeded",
            [paidSilently] = "Succeeded",
            [failed] = "Failed",
            [partialSilently] = "NeedsReview",
            [confirmedWhileDown] = "Succeeded",
            [paidAfterRestart] = "Succeeded",
        };
        var final = new Dictionary<string, string>();
        foreach (var orderId in orders)
        {
            var view = await _stack.Orders.WaitForAsync(orderId, v => v.Status is "Succeeded" or "Failed" or "NeedsReview" or "Expired" or "Rejected",
                "final", Scenario.Patience);
            final[orderId] = view.Status;
        }
        Assert.Equal(expected, final);
        foreach (var orderId in orders)
        {
            Assert.Equal(1, (await _stack.Control.CountersAsync(orderId)).Applies);
        }
        // The silent ones can only have been found by their orchestrations' query loops, resumed by the new process.
        foreach (var orderId in new[] { paidSilently, partialSilently })
        {
            var audit = await _stack.Stored.AuditAsync(orderId);
            Assert.DoesNotContain(audit, a => a.Kind == "CallbackReceived");
            Assert.Contains(audit, a => a is { Kind: "Query", Reason: "Scheduled" } && a.ProviderStatus is 2 or 4);
        }
    });
}
