using System.Security.Cryptography;
using Collect.Core.Activities;
using Collect.Core.Http;
using Collect.Core.Orchestration;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Sandbox;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Http;

/// <summary>
/// <c>POST /api/haipay/notify</c> with real HttpContexts, callbacks signed like the sandbox signs them, the real store
/// on Azurite and the real query activity against the sandbox.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class NotifyHandlerTests(CollectEnvironment environment) : IDisposable
{
    private readonly ServiceProvider _product = environment.CreateProduct();
    private readonly DurableClientDouble _durable = new();

    public void Dispose() => _product.Dispose();

    private SandboxApp Sandbox => environment.Sandbox;
    private OrderStore Store => _product.GetRequiredService<OrderStore>();

    /// <summary>An order applied at the sandbox, its orchestration running.</summary>
    private async Task<string> AppliedOrderAsync(OrderBehaviour? behaviour = null)
    {
        var order = TestOrders.Pending();
        if (behaviour is not null)
        {
            Sandbox.State.SetBehaviour(order.OrderId, behaviour);
        }
        await Store.CreateAsync(order);
        await _product.GetRequiredService<ApplyActivity>().ApplyAsync(order.OrderId);
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);
        return order.OrderId;
    }

    private async Task<HttpExchange> NotifyAsync(string body, string contentType = "application/json") =>
        await HttpExchange.ExecuteAsync(
            await _product.GetRequiredService<NotifyHandler>().HandleAsync(HttpExchange.Post(_product, body, contentType), _durable.Client),
            _product);

    private async Task<IReadOnlyList<AuditEntry>> CallbacksAsync(string partition) =>
        (await Store.GetAuditAsync(partition)).Where(e => e.Kind == AuditKind.CallbackReceived).ToList();

    [Fact]
    public async Task A_verified_callback_for_a_waiting_order_is_acknowledged_and_raised_as_the_notify_event()
    {
        var orderId = await AppliedOrderAsync();
        var body = SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success);

        var response = await NotifyAsync(body);

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.StartsWith("text/plain", response.ContentType);
        Assert.Equal([(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, true))], _durable.Events);
        Assert.Equal(OrderStatus.AwaitingPayment, (await Store.GetAsync(orderId))!.Status);
        var received = Assert.Single(await CallbacksAsync(orderId));
        Assert.Equal((body, "verified", 2, "127.0.0.1"), (received.RawBody, received.Verification, received.ProviderStatus, received.Remote));
    }

    [Fact]
    public async Task A_duplicate_callback_is_acknowledged_again_and_each_copy_is_audited()
    {
        var orderId = await AppliedOrderAsync();
        var body = SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success);

        var first = await NotifyAsync(body);
        var second = await NotifyAsync(body);

        Assert.Equal(("SUCCESS", "SUCCESS"), (first.Body, second.Body));
        Assert.Equal(2, (await CallbacksAsync(orderId)).Count);
    }

    [Fact]
    public async Task A_form_encoded_callback_with_fields_unknown_to_the_product_verifies()
    {
        var orderId = await AppliedOrderAsync();
        var json = System.Text.Json.JsonDocument.Parse(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId,
            CollectionStatus.Success, extra: new Dictionary<string, string?> { ["channel"] = "alipay hk" })).RootElement;
        var form = string.Join('&', json.EnumerateObject().Select(p =>
            $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value.ValueKind == System.Text.Json.JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())}"));

        var response = await NotifyAsync(form, "application/x-www-form-urlencoded");

        Assert.Equal(200, response.Status);
        Assert.Equal("verified", Assert.Single(await CallbacksAsync(orderId)).Verification);
    }

    [Fact]
    public async Task A_forged_callback_answers_401_changes_nothing_and_only_nudges_a_query()
    {
        var orderId = await AppliedOrderAsync();
        using var forger = RSA.Create(2048);
        var body = SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success, signWith: forger);

        var response = await NotifyAsync(body);

        Assert.Equal((401, "application/problem+json"), (response.Status, response.ContentType));
        var stored = await Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.AwaitingPayment, (CollectionStatus?)null), (stored!.Status, stored.ProviderStatus));
        Assert.Equal([(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, false))], _durable.Events);
        Assert.Equal("invalid signature", Assert.Single(await CallbacksAsync(orderId)).Verification);
        Assert.DoesNotContain(await Store.GetAuditAsync(orderId), e => e.Kind == AuditKind.Query);
    }

    [Fact]
    public async Task A_tampered_field_fails_verification()
    {
        var orderId = await AppliedOrderAsync();
        var body = SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success, amount: "100.00")
            .Replace("\"100.00\"", "\"1000.00\"");

        Assert.Equal(401, (await NotifyAsync(body)).Status);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"orderId\":\"A1\"}")]
    [InlineData("")]
    public async Task A_malformed_callback_answers_400_and_is_kept_raw(string body)
    {
        var response = await NotifyAsync(body);

        Assert.Equal((400, "application/problem+json"), (response.Status, response.ContentType));
        var partition = body.Contains("A1") ? "A1" : NotifyHandler.UnaddressedCallbacksPartition;
        var received = Assert.Single(await CallbacksAsync(partition));
        Assert.Equal((body, "malformed"), (received.RawBody, received.Verification));
    }

    [Fact]
    public async Task A_verified_callback_for_an_unknown_order_answers_404()
    {
        var orderId = TestOrders.NewOrderId("unknown");
        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success));

        Assert.Equal(404, response.Status);
        Assert.Equal("verified", Assert.Single(await CallbacksAsync(orderId)).Verification);
    }

    [Fact]
    public async Task A_callback_without_currency_is_verified_with_the_keys_of_its_appid()
    {
        var orderId = await AppliedOrderAsync();

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success, includeCurrency: false));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task A_late_success_after_expiry_is_confirmed_by_a_query_and_ends_succeeded()
    {
        var orderId = await AppliedOrderAsync();
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(orderId);
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success));

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        var stored = await Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Succeeded, 100m), (stored!.Status, stored.ActualAmount));
        Assert.Empty(_durable.Events);
        Assert.Contains(await Store.GetAuditAsync(orderId), e => e.Kind == AuditKind.Query && e.Reason == "Notified");
    }

    [Fact]
    public async Task A_success_raised_while_the_orchestration_expires_the_order_is_settled_by_the_webhook()
    {
        var orderId = await AppliedOrderAsync(new OrderBehaviour { Callback = new CallbackBehaviour { Drop = true } });
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        // The orchestration's last query and expiry happen between the webhook's read and its event: it ends
        // without ever seeing the event.
        _durable.OnRaise = async id =>
        {
            await _product.GetRequiredService<ExpireActivity>().ExpireAsync(id);
            _durable.SetStatus(id, OrchestrationRuntimeStatus.Completed);
        };

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success));

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.Single(_durable.Events);
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task A_final_callback_haipays_query_does_not_confirm_yet_answers_503_so_haipay_delivers_again()
    {
        var orderId = await AppliedOrderAsync(new OrderBehaviour
        {
            PendingConfirmation = TimeSpan.FromHours(1),
            Callback = new CallbackBehaviour { Drop = true },
        });
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(orderId);
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success));

        Assert.Equal(503, response.Status);
        var stored = await Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Expired, (CollectionStatus?)CollectionStatus.PendingConfirmation), (stored!.Status, stored.ProviderStatus));
    }

    [Fact]
    public async Task A_duplicate_final_callback_for_a_settled_order_is_acknowledged_without_a_query()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        await _product.GetRequiredService<QueryActivity>().QueryAsync(new QueryRequest(orderId, QueryReason.Scheduled));
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);
        var queries = Sandbox.State.Counters.For(orderId).Queries;

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success));

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.Equal(queries, Sandbox.State.Counters.For(orderId).Queries);
    }

    [Fact]
    public async Task A_contradicting_final_callback_is_checked_with_haipay_whose_word_stands()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        await _product.GetRequiredService<QueryActivity>().QueryAsync(new QueryRequest(orderId, QueryReason.Scheduled));
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Failed));

        Assert.Equal(200, response.Status);
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(orderId))!.Status);
        Assert.Equal(2, Sandbox.State.Counters.For(orderId).Queries);
    }

    [Fact]
    public async Task A_verified_callback_in_another_currency_flags_the_order_for_review()
    {
        var orderId = await AppliedOrderAsync();

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.USD, orderId, CollectionStatus.Success));

        Assert.Equal(200, response.Status);
        Assert.Equal(OrderStatus.NeedsReview, (await Store.GetAsync(orderId))!.Status);
    }
}
