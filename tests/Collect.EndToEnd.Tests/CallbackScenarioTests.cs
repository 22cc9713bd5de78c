using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using HaiPay.Signing;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>Orders settled at HaiPay and reported by its callbacks: paid, failed, partial, duplicated, reordered, forged.</summary>
[Collection(NotifiedStack.Name)]
public sealed class CallbackScenarioTests(NotifiedStackFixture fixture, ITestOutputHelper output)
{
    private readonly CollectStack _stack = fixture.Stack;

    [Fact]
    public Task An_order_paid_at_HaiPay_succeeds_through_the_callback() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("paid");
        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal($"/api/orders/{orderId}", created.Location?.OriginalString);
        Assert.Equal("AwaitingPayment", created.View.Status);
        Assert.NotNull(created.View.OrderNo);
        Assert.StartsWith(new Uri(_stack.Sandbox.BaseUrl, "checkout/").ToString(), created.View.PayUrl);

        await _stack.Control.ActAsync(orderId, "pay");
        var paid = await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);

        Assert.Equal(2, paid.ProviderStatus);
        Assert.Equal("128.50", paid.ActualAmount);
        Assert.Equal("1.93", paid.Fee);
        Assert.Equal(TimeSpan.FromHours(8), paid.PayTime?.Offset);
        var audit = await _stack.Stored.AuditAsync(orderId);
        Assert.Contains(audit, a => a is { Kind: "CallbackReceived", Verification: "verified", ProviderStatus: 2 });
        Assert.Contains(audit, a => a is { Kind: "Query", Reason: "Notified", ProviderStatus: 2 });
        // The order is Succeeded before the product answers the callback, and HaiPay counts the SUCCESS only once it reads it.
        var counters = await Scenario.WaitForAsync(() => _stack.Control.CountersAsync(orderId),
            c => c.CallbacksAcknowledged >= 1, "acknowledged the callback");
        Assert.Equal(1, counters.Applies);
        Assert.Equal(1, counters.Queries);
        Assert.Equal(1, counters.CallbacksAcknowledged);
    });

    [Fact]
    public Task A_failed_payment_ends_Failed_with_HaiPays_message() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("failed");
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "fail");
        var failed = await _stack.Orders.WaitForStatusAsync(orderId, "Failed", Scenario.Patience);

        Assert.Equal(3, failed.ProviderStatus);
        Assert.Equal("Payment failed (sandbox)", failed.ErrorMessage);
        Assert.Null(failed.PayTime);
    });

    [Fact]
    public Task A_partial_collection_needs_review() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("partial");
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "partial");
        var review = await _stack.Orders.WaitForStatusAsync(orderId, "NeedsReview", Scenario.Patience);

        Assert.Equal(4, review.ProviderStatus);
        Assert.Equal("64.25", review.ActualAmount);
    });

    [Fact]
    public Task Duplicate_callbacks_and_a_late_stale_one_leave_the_order_Succeeded() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("dup");
        await _stack.Control.SetBehaviourAsync(orderId, new SandboxBehaviour
        {
            Callback = new SandboxCallbacks { Copies = 3, Reorder = "stale" },
        });
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "pay");
        await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
        // Three copies of the success and the stale "processing" callback after them, each answered SUCCESS.
        var counters = await Scenario.WaitForAsync(() => _stack.Control.CountersAsync(orderId),
            c => c.CallbacksAcknowledged == 4, "acknowledged 4 callbacks");

        var order = await _stack.Orders.GetAsync(orderId);
        Assert.Equal("Succeeded", order!.Status);
        Assert.Equal(2, order.ProviderStatus);
        Assert.Equal("128.50", order.ActualAmount);
        Assert.Equal(4, counters.CallbacksSent);
        Assert.Equal(1, counters.Queries);
        var callbacks = (await _stack.Stored.AuditAsync(orderId)).Where(a => a.Kind == "CallbackReceived").ToList();
        Assert.Equal(4, callbacks.Count);
        Assert.All(callbacks, c => Assert.Equal("verified", c.Verification));
        Assert.Equal(3, callbacks.Count(c => c.ProviderStatus == 2));
        Assert.Equal(1, await _stack.Stored.ExecutionsStartedAsync(orderId));
    });

    [Fact]
    public Task A_contradicting_callback_after_success_does_not_flip_the_order() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("contra");
        await _stack.Control.SetBehaviourAsync(orderId, new SandboxBehaviour
        {
            Callback = new SandboxCallbacks { Reorder = "contradicting" },
        });
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        await _stack.Control.ActAsync(orderId, "pay");
        await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
        await Scenario.WaitForAsync(() => _stack.Control.CountersAsync(orderId),
            c => c.CallbacksAcknowledged == 2, "acknowledged both callbacks");

        // HaiPay's query (the authority) still says 2: the signed "failed" callback is kept in the audit trail only.
        var order = await _stack.Orders.GetAsync(orderId);
        Assert.Equal("Succeeded", order!.Status);
        Assert.Equal(2, order.ProviderStatus);
        var audit = await _stack.Stored.AuditAsync(orderId);
        Assert.Contains(audit, a => a is { Kind: "CallbackReceived", Verification: "verified", ProviderStatus: 3 });
        Assert.DoesNotContain(audit, a => a is { Kind: "Query", ProviderStatus: 3 });
    });

    [Fact]
    public Task A_forged_callback_is_rejected_and_changes_nothing() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("forged");
        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
        Assert.Equal(HttpStatusCode.Created, created.Status);

        var (status, _) = await _stack.Orders.NotifyAsync(ForgedSuccess(orderId, created.View.OrderNo!, _stack.Sandbox.AppIds["HKD"]));
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        // Readiness: the product has recorded the forgery and asked HaiPay (the forged callback only triggers a query).
        var audit = await Scenario.WaitForAsync(() => _stack.Stored.AuditAsync(orderId),
            rows => rows.Any(a => a is { Kind: "Query", Reason: "Notified" }), "queried after the forged callback");
        Assert.Contains(audit, a => a is { Kind: "CallbackReceived", Verification: "invalid signature", ProviderStatus: 2 });
        var order = await _stack.Orders.GetAsync(orderId);
        Assert.Equal("AwaitingPayment", order!.Status);
        Assert.NotEqual(2, order.ProviderStatus);
        Assert.Null(order.ActualAmount);
        Assert.Null(order.PayTime);
        Assert.Equal(created.View.PayUrl, order.PayUrl);
        Assert.Equal(0, (await _stack.Control.OrderAsync(orderId))!.Status);

        // The order still completes normally when the customer really pays.
        await _stack.Control.ActAsync(orderId, "pay");
        Assert.Equal("128.50", (await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience)).ActualAmount);
    });

    /// <summary>A success callback for a real order, signed with a key and secret HaiPay never issued.</summary>
    private static string ForgedSuccess(string orderId, string orderNo, long appId)
    {
        var payTime = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var fields = new Dictionary<string, string?>
        {
            ["appId"] = appId.ToString(CultureInfo.InvariantCulture),
            ["currency"] = "HKD",
            ["orderId"] = orderId,
            ["orderNo"] = orderNo,
            ["amount"] = "128.50",
            ["fee"] = "1.93",
            ["status"] = "2",
            ["payTime"] = payTime,
        };
        using var forgerKey = RSA.Create(2048);
        var sign = new HaiPaySigner().Sign(fields, "forged-secret-key", forgerKey);
        return JsonSerializer.Serialize(new
        {
            appId,
            currency = "HKD",
            orderId,
            orderNo,
            amount = "128.50",
            fee = "1.93",
            status = 2,
            payTime,
            sign,
        });
    }
}
