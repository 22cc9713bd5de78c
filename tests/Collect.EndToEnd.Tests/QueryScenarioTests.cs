using System.Net;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>Orders the query loop settles: a dropped callback, pending confirmation (-1), the deadline and a late success.</summary>
[Collection(PollingStack.Name)]
public sealed class QueryScenarioTests(PollingStackFixture fixture, ITestOutputHelper output)
{
    private readonly CollectStack _stack = fixture.Stack;

    [Fact]
    public Task A_payment_whose_callback_is_lost_is_found_by_the_query_loop() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("dropped");
        await _stack.Control.SetBehaviourAsync(orderId, new SandboxBehaviour { Callback = new SandboxCallbacks { Drop = true } });
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "pay");
        var paid = await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);

        Assert.Equal("128.50", paid.ActualAmount);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(1, counters.CallbacksDropped);
        Assert.Equal(0, counters.CallbacksSent);
        var audit = await _stack.Stored.AuditAsync(orderId);
        Assert.DoesNotContain(audit, a => a.Kind == "CallbackReceived");
        Assert.Contains(audit, a => a is { Kind: "Query", Reason: "Scheduled", ProviderStatus: 2 });
    });

    [Fact]
    public Task Pending_confirmation_is_shown_then_the_confirmed_payment_succeeds() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("pending");
        await _stack.Control.SetBehaviourAsync(orderId, new SandboxBehaviour { PendingConfirmation = TimeSpan.FromMinutes(10) });
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "pay");
        var pending = await _stack.Orders.WaitForAsync(orderId, v => v.ProviderStatus == -1, "pending confirmation (-1)", Scenario.Patience);
        Assert.Equal("AwaitingPayment", pending.Status);
        Assert.Null(pending.ActualAmount);

        await _stack.Control.ActAsync(orderId, "confirm");
        var paid = await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
        Assert.Equal(2, paid.ProviderStatus);
        Assert.Equal("128.50", paid.ActualAmount);
    });

    [Fact]
    public Task An_unpaid_order_expires_and_a_success_after_that_still_ends_Succeeded() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("late");
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        var expired = await _stack.Orders.WaitForStatusAsync(orderId, "Expired", PollingStackFixture.Deadline + Scenario.Patience);
        Assert.Null(expired.ActualAmount);
        Assert.Contains(await _stack.Stored.AuditAsync(orderId), a => a is { Kind: "Query", Reason: "FinalCheck" });
        await Scenario.WaitForAsync(() => _stack.Stored.RuntimeStatusAsync(orderId), s => s == "Completed", "the expired order's orchestration ended");

        // The customer pays late; HaiPay's callback arrives after the orchestration has ended.
        await _stack.Control.ActAsync(orderId, "pay");
        var paid = await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);

        Assert.Equal(2, paid.ProviderStatus);
        Assert.Equal("128.50", paid.ActualAmount);
        Assert.Contains(await _stack.Stored.AuditAsync(orderId), a => a is { Kind: "CallbackReceived", Verification: "verified", ProviderStatus: 2 });
        await Scenario.WaitForAsync(() => _stack.Control.CountersAsync(orderId), c => c.CallbacksAcknowledged == 1, "acknowledged the callback");
    });
}
