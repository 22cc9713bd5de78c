using System.Net;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>The create call: transient apply faults, a business rejection, idempotent and concurrent creates.</summary>
[Collection(NotifiedStack.Name)]
public sealed class CreateScenarioTests(NotifiedStackFixture fixture, ITestOutputHelper output)
{
    private readonly CollectStack _stack = fixture.Stack;

    [Fact]
    public Task Apply_answered_5xx_is_retried_durably_until_HaiPay_accepts() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("apply5xx");
        await _stack.Control.AddFaultAsync(new SandboxFault { Endpoint = "apply", Kind = "serverError", StatusCode = 503, OrderId = orderId, Count = 2 });

        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));

        Assert.True(created.Status is HttpStatusCode.Created or HttpStatusCode.Accepted, created.ToString());
        var applied = await _stack.Orders.WaitForStatusAsync(orderId, "AwaitingPayment", Scenario.Patience);
        Assert.NotNull(applied.PayUrl);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(3, counters.Applies);
        Assert.Equal(1, counters.AppliesAccepted);
        await _stack.Control.ActAsync(orderId, "pay");
        await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
    });

    [Fact]
    public Task An_apply_that_times_out_is_retried_and_the_order_proceeds() => _stack.RunAsync(output, async () =>
    {
        // The first apply hangs far beyond HaiPay:AttemptTimeout (3 s in this stack); the retry is answered at once.
        var orderId = OrderRequest.NewOrderId("applyslow");
        await _stack.Control.AddFaultAsync(new SandboxFault
        {
            Endpoint = "apply", Kind = "timeout", Hang = TimeSpan.FromSeconds(45), OrderId = orderId, Count = 1,
        });

        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));

        Assert.True(created.Status is HttpStatusCode.Created or HttpStatusCode.Accepted, created.ToString());
        var applied = await _stack.Orders.WaitForStatusAsync(orderId, "AwaitingPayment", Scenario.Patience);
        Assert.NotNull(applied.PayUrl);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(2, counters.Applies);
        Assert.Equal(1, counters.AppliesAccepted);
        await _stack.Control.ActAsync(orderId, "pay");
        await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
    });

    [Fact]
    public Task An_apply_whose_answer_was_lost_is_found_at_HaiPay_when_the_retry_is_refused_as_a_repeat() => _stack.RunAsync(output, async () =>
    {
        // Attempt 1 outlives HaiPay:AttemptTimeout (3 s) but HaiPay still creates the order (after 4 s); attempt 2
        // fails with 503; attempt 3 (about 9 s in) is refused as a duplicate orderId, so the product asks HaiPay.
        var orderId = OrderRequest.NewOrderId("applylost");
        await _stack.Control.AddFaultAsync(new SandboxFault
        {
            Endpoint = "apply", Kind = "timeout", Hang = TimeSpan.FromSeconds(4), OrderId = orderId, Count = 1,
        });
        await _stack.Control.AddFaultAsync(new SandboxFault { Endpoint = "apply", Kind = "serverError", StatusCode = 503, OrderId = orderId, Count = 1 });

        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));

        Assert.True(created.Status is HttpStatusCode.Created or HttpStatusCode.Accepted, created.ToString());
        var adopted = await _stack.Orders.WaitForStatusAsync(orderId, "AwaitingPayment", Scenario.Patience);
        var atHaiPay = await _stack.Control.OrderAsync(orderId);
        Assert.Equal(atHaiPay!.OrderNo, adopted.OrderNo);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(3, counters.Applies);
        Assert.Equal(1, counters.AppliesAccepted);
        var audit = await _stack.Stored.AuditAsync(orderId);
        Assert.Contains(audit, a => a.Kind == "Apply" && a.Detail!.StartsWith("attempt 3 refused"));
        Assert.Contains(audit, a => a is { Kind: "Query", Reason: "ApplyRefused", ProviderStatus: 0 });
        Assert.Contains(audit, a => a is { Kind: "Transition", Reason: "apply refused; HaiPay holds an order under this id" });
        await _stack.Control.ActAsync(orderId, "pay");
        Assert.Equal("128.50", (await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience)).ActualAmount);
    });

    [Fact]
    public Task A_business_rejection_is_answered_422_and_stored_as_Rejected() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("rejected");
        await _stack.Control.AddFaultAsync(new SandboxFault
        {
            Endpoint = "apply", Kind = "businessError", ErrorCode = "7001", Message = "Risk control refused the order", OrderId = orderId, Count = 1,
        });

        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, created.Status);
        Assert.Equal("application/problem+json", created.MediaType);
        Assert.Equal("7001", created.Document.GetProperty("errorCode").GetString());
        Assert.Equal("Risk control refused the order", created.Document.GetProperty("providerMessage").GetString());
        var order = await _stack.Orders.GetAsync(orderId);
        Assert.Equal("Rejected", order!.Status);
        Assert.Equal("7001", order.ErrorCode);
        Assert.Null(order.PayUrl);

        // The same request again is a replay of the stored outcome, not a second apply.
        var replay = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal("Rejected", replay.View.Status);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(1, counters.Applies);
        Assert.Equal(0, counters.AppliesAccepted);
    });

    [Fact]
    public Task The_same_request_again_replays_the_order_and_a_different_one_conflicts() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("idem");
        var request = OrderRequest.Hkd(orderId);
        var created = await _stack.Orders.CreateAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.Status);

        var replay = await _stack.Orders.CreateAsync(request);
        var conflict = await _stack.Orders.CreateAsync(request with { Amount = "99.00" });

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(created.View.OrderNo, replay.View.OrderNo);
        Assert.Equal(created.View.PayUrl, replay.View.PayUrl);
        Assert.Equal("128.50", replay.View.Amount);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("application/problem+json", conflict.MediaType);
        Assert.Equal(orderId, conflict.Document.GetProperty("orderId").GetString());
        Assert.Equal("128.50", (await _stack.Orders.GetAsync(orderId))!.Amount);
        Assert.Equal(1, (await _stack.Control.CountersAsync(orderId)).Applies);
        Assert.Equal(1, await _stack.Stored.ExecutionsStartedAsync(orderId));
    });

    [Fact]
    public Task Twenty_concurrent_identical_creates_make_one_order_one_orchestration_and_one_apply() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("race");
        var request = OrderRequest.Hkd(orderId);
        using var start = new SemaphoreSlim(0);
        var creates = Enumerable.Range(0, 20).Select(async _ =>
        {
            await start.WaitAsync();
            return await _stack.Orders.CreateAsync(request);
        }).ToList();
        start.Release(20);
        var answers = await Task.WhenAll(creates);

        var winners = answers.Where(a => a.Status is HttpStatusCode.Created or HttpStatusCode.Accepted).ToList();
        Assert.True(winners.Count == 1, string.Join("\n", answers.Select(a => a.ToString())));
        Assert.All(answers.Except(winners), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.Equal(orderId, a.View.OrderId));
        var applied = await _stack.Orders.WaitForStatusAsync(orderId, "AwaitingPayment", Scenario.Patience);
        var counters = await _stack.Control.CountersAsync(orderId);
        Assert.Equal(1, counters.Applies);
        Assert.Equal(1, await _stack.Stored.ExecutionsStartedAsync(orderId));

        await _stack.Control.ActAsync(orderId, "pay");
        Assert.Equal(applied.OrderNo, (await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience)).OrderNo);
    });
}
