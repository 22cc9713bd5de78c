using System.Security.Cryptography;
using Collect.Core.Callbacks;
using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Sandbox;
using HaiPay.Sandbox.Faults;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Http;

/// <summary>
/// <c>POST /api/haipay/notify</c> with real HttpContexts, callbacks signed like the sandbox signs them, the real store
/// on Azurite and the real settlement service querying the sandbox.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class NotifyHandlerTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _product;
    private readonly DurableClientDouble _durable = new();

    public NotifyHandlerTests(CollectEnvironment environment)
    {
        _environment = environment;
        _product = environment.CreateProduct(time: _time);
    }

    public void Dispose() => _product.Dispose();

    private SandboxApp Sandbox => _environment.Sandbox;
    private OrderStore Store => _product.GetRequiredService<OrderStore>();

    /// <summary>An order applied at the sandbox, its orchestration running.</summary>
    private async Task<string> AppliedOrderAsync(OrderBehaviour? behaviour = null)
    {
        var order = TestOrders.Pending(now: _time.GetUtcNow());
        if (behaviour is not null)
        {
            Sandbox.State.SetBehaviour(order.OrderId, behaviour);
        }
        await Store.CreateAsync(order);
        await _product.GetRequiredService<ApplyActivity>().ApplyAsync(order.OrderId);
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);
        return order.OrderId;
    }

    private Task<HttpExchange> NotifyAsync(string body, string contentType = "application/json") =>
        NotifyAsync(HttpExchange.Post(_product, body, contentType));

    private async Task<HttpExchange> NotifyAsync(Microsoft.AspNetCore.Http.HttpRequest request, ServiceProvider? product = null) =>
        await HttpExchange.ExecuteAsync(
            await (product ?? _product).GetRequiredService<NotifyHandler>().HandleAsync(request, _durable.Client),
            product ?? _product);

    private string Paid(string orderId) => SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success);

    private async Task<IReadOnlyList<AuditEntry>> CallbacksAsync(string partition) =>
        (await Store.GetAuditAsync(partition)).Where(e => e.Kind == AuditKind.CallbackReceived).ToList();

    private int Queries(string orderId) => (int)Sandbox.State.Counters.For(orderId).Queries;

    [Fact]
    public async Task A_verified_success_is_confirmed_by_haipays_query_settled_here_and_the_orchestration_told()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        var body = Paid(orderId);

        var response = await NotifyAsync(body);

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.StartsWith("text/plain", response.ContentType);
        var stored = await Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Succeeded, 100m), (stored!.Status, stored.ActualAmount));
        Assert.Equal([(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, true, OrderStatus.Succeeded))], _durable.Events);
        Assert.Equal(1, Queries(orderId));
        var received = Assert.Single(await CallbacksAsync(orderId));
        Assert.Equal((body, "verified", 2, "127.0.0.1"), (received.RawBody, received.Verification, received.ProviderStatus, received.Remote));
        Assert.Contains(await Store.GetAuditAsync(orderId), e => e is { Kind: AuditKind.Query, Reason: "Notified" });
    }

    [Fact]
    public async Task A_verified_final_callback_is_never_acknowledged_before_haipays_query_confirms_it()
    {
        // The callback says 2; HaiPay's query still says 0 (it lags): acknowledging now would lose the callback for good.
        var orderId = await AppliedOrderAsync();

        var early = await NotifyAsync(Paid(orderId));

        Assert.Equal((503, "application/problem+json"), (early.Status, early.ContentType));
        Assert.Equal(OrderStatus.AwaitingPayment, (await Store.GetAsync(orderId))!.Status);
        Assert.Empty(_durable.Events);

        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        var redelivered = await NotifyAsync(Paid(orderId));

        Assert.Equal((200, "SUCCESS"), (redelivered.Status, redelivered.Body));
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task A_final_callback_whose_query_fails_through_the_deadline_is_settled_when_haipay_redelivers_it()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        Sandbox.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Query, Kind = FaultKind.ServerError, OrderId = orderId, Count = 6 });

        var first = await NotifyAsync(Paid(orderId));
        // The orchestration's deadline passes meanwhile: the order expires, the orchestration ends.
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(orderId);
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);
        var second = await NotifyAsync(Paid(orderId));
        var third = await NotifyAsync(Paid(orderId));

        Assert.Equal((503, 503), (first.Status, second.Status));
        Assert.Equal((200, "SUCCESS"), (third.Status, third.Body));
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task A_replayed_signed_callback_is_recognised_and_changes_nothing()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        var body = Paid(orderId);
        Assert.Equal(200, (await NotifyAsync(body)).Status);
        var stored = await Store.GetAsync(orderId);

        var replies = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add((await NotifyAsync(body)).Status);
        }

        Assert.All(replies, status => Assert.Equal(200, status));
        Assert.Equal(1, Queries(orderId));
        Assert.Equal(stored!.ETag, (await Store.GetAsync(orderId))!.ETag);
        Assert.Single(_durable.Events);
        var callbacks = await CallbacksAsync(orderId);
        Assert.True(callbacks.Count <= 1 + 5, $"{callbacks.Count} callbacks stored");
        Assert.Contains(callbacks, c => c.Detail!.StartsWith("replay"));
    }

    [Fact]
    public async Task Copies_of_a_signed_callback_arriving_together_are_confirmed_by_one_query()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        var body = Paid(orderId);

        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NotifyAsync(body)));

        Assert.All(replies, reply => Assert.Equal((200, "SUCCESS"), (reply.Status, reply.Body)));
        Assert.Equal(1, Queries(orderId));
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task A_form_encoded_callback_with_fields_unknown_to_the_product_verifies()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);
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
        var received = Assert.Single(await CallbacksAsync(orderId));
        Assert.Equal("invalid signature", received.Verification);
        Assert.DoesNotContain(await Store.GetAuditAsync(orderId), e => e.Kind == AuditKind.Query);
    }

    [Fact]
    public async Task A_flood_of_unsigned_callbacks_is_bounded_in_nudges_and_audit_rows_per_window()
    {
        var orderId = await AppliedOrderAsync();
        var unsigned = $$"""{"orderId":"{{orderId}}","status":2,"amount":"100.00","sign":"forged"}""";

        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(401, (await NotifyAsync(unsigned)).Status);
        }
        Assert.Single(_durable.Events);
        Assert.Equal(5, (await CallbacksAsync(orderId)).Count);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(401, (await NotifyAsync(unsigned)).Status);

        Assert.Equal(2, _durable.Events.Count);
        var audit = await Store.GetAuditAsync(orderId);
        var summary = Assert.Single(audit, e => e.Kind == AuditKind.CallbacksSuppressed);
        Assert.StartsWith("55 unverified", summary.Detail);
        Assert.Equal(6, audit.Count(e => e.Kind == AuditKind.CallbackReceived));
        var ledger = await Store.GetCallbackLedgerAsync(orderId);
        Assert.Equal((55, 7), (ledger.UnverifiedSuppressed, ledger.UnverifiedStored));
        Assert.Equal(OrderStatus.AwaitingPayment, (await Store.GetAsync(orderId))!.Status);
        Assert.Equal(0, Queries(orderId));
    }

    [Fact]
    public async Task Unverified_callbacks_stored_over_an_orders_life_are_capped()
    {
        var orderId = await AppliedOrderAsync();
        var unsigned = $$"""{"orderId":"{{orderId}}","status":2,"sign":"forged"}""";

        for (var window = 0; window < 14; window++)
        {
            for (var i = 0; i < 6; i++)
            {
                await NotifyAsync(unsigned);
            }
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var rows = (await Store.GetAuditAsync(orderId)).Count(e => e.Kind is AuditKind.CallbackReceived or AuditKind.CallbacksSuppressed);
        Assert.Equal(50, rows);
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
    [InlineData("{\"orderId\":\"A1\",\"status\":2,\"name\":\"Tai \\ud800 Chan\"}")]
    [InlineData("{\"orderId\":\"..\",\"status\":2}")]
    [InlineData("{\"orderId\":\"a b\",\"status\":2}")]
    [InlineData("{\"orderId\":\"ORD\u202E1\",\"status\":2}")]
    public async Task A_malformed_callback_answers_400_and_is_kept_raw_in_the_shared_partition(string body)
    {
        var response = await NotifyAsync(body);

        Assert.Equal((400, "application/problem+json"), (response.Status, response.ContentType));
        Assert.Contains(await CallbacksAsync(UnaddressedCallbacks.Partition),
            e => e.RawBody == body && e.Verification == "malformed");
        Assert.Empty(await Store.GetAuditAsync("A1"));
    }

    [Fact]
    public async Task An_order_id_longer_than_48_characters_is_refused_before_it_is_used_as_a_key()
    {
        var orderId = new string('A', 49);

        var response = await NotifyAsync($$"""{"orderId":"{{orderId}}","status":2}""");

        Assert.Equal(400, response.Status);
        Assert.Empty(await Store.GetAuditAsync(orderId));
    }

    [Fact]
    public async Task A_verified_callback_for_an_unknown_order_answers_404_and_is_kept_in_the_shared_partition()
    {
        var orderId = TestOrders.NewOrderId("unknown");
        var response = await NotifyAsync(Paid(orderId));

        Assert.Equal(404, response.Status);
        Assert.Empty(await Store.GetAuditAsync(orderId));
        Assert.Contains(await CallbacksAsync(UnaddressedCallbacks.Partition), e => e.RawBody!.Contains(orderId) && e.Verification == "verified");
    }

    [Fact]
    public async Task A_callback_without_currency_is_verified_with_the_keys_of_its_appid()
    {
        var orderId = await AppliedOrderAsync();
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var response = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success, includeCurrency: false));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task A_verified_callback_with_an_unknown_status_or_unreadable_fields_is_acknowledged_and_nudges_a_query()
    {
        var orderId = await AppliedOrderAsync();
        var body = SignedCallbacks.Json(Sandbox, Currency.HKD, orderId, CollectionStatus.Success,
            extra: new Dictionary<string, string?> { ["status"] = "8", ["payTime"] = "yesterday", ["fee"] = "1,5" });

        var response = await NotifyAsync(body);

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.Equal([(orderId, CollectionTasks.NotifyEvent, new NotifySignal(8, true))], _durable.Events);
        Assert.Contains("status 8 (unknown)", Assert.Single(await CallbacksAsync(orderId)).Detail);
    }

    [Fact]
    public async Task A_late_success_after_expiry_is_confirmed_by_a_query_and_ends_succeeded()
    {
        var orderId = await AppliedOrderAsync();
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(orderId);
        _durable.SetStatus(orderId, OrchestrationRuntimeStatus.Completed);
        Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var response = await NotifyAsync(Paid(orderId));

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        var stored = await Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Succeeded, 100m), (stored!.Status, stored.ActualAmount));
        Assert.Empty(_durable.Events);
        Assert.Contains(await Store.GetAuditAsync(orderId), e => e.Kind == AuditKind.Query && e.Reason == "Notified");
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

        var response = await NotifyAsync(Paid(orderId));

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
        var queries = Queries(orderId);

        var response = await NotifyAsync(Paid(orderId));

        Assert.Equal((200, "SUCCESS"), (response.Status, response.Body));
        Assert.Equal(queries, Queries(orderId));
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
        Assert.Equal(2, Queries(orderId));
    }

    [Fact]
    public async Task A_verified_callback_in_another_currency_decides_nothing_alone()
    {
        // Paid and settled by HaiPay's query; then a validly signed USD callback names the HKD order.
        var settled = await AppliedOrderAsync();
        Sandbox.Orders.Settle(settled, SettleAction.Pay);
        await _product.GetRequiredService<QueryActivity>().QueryAsync(new QueryRequest(settled, QueryReason.Scheduled));
        var waiting = await AppliedOrderAsync();

        var onSettled = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.USD, settled, CollectionStatus.Success));
        var onWaiting = await NotifyAsync(SignedCallbacks.Json(Sandbox, Currency.USD, waiting, CollectionStatus.Success));

        Assert.Equal(200, onSettled.Status);
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(settled))!.Status);
        Assert.Equal(503, onWaiting.Status);
        Assert.Equal(OrderStatus.AwaitingPayment, (await Store.GetAsync(waiting))!.Status);
        Assert.Contains("names currency USD", Assert.Single(await CallbacksAsync(waiting)).Detail);
    }

    [Theory]
    [InlineData(false, "127.0.0.1")]
    [InlineData(true, "203.0.113.9")]
    public async Task The_sender_is_the_hop_the_platform_appended_never_the_clients_own_entry(bool trustForwardedFor, string expected)
    {
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Collect:TrustForwardedFor"] = trustForwardedFor.ToString() });
        var store = product.GetRequiredService<OrderStore>();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        var request = HttpExchange.Post(product, $$"""{"orderId":"{{order.OrderId}}","status":2,"sign":"x"}""");
        request.Headers["X-Forwarded-For"] = "10.6.6.6, 203.0.113.9";

        await NotifyAsync(request, product);

        var received = Assert.Single(await store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.CallbackReceived);
        Assert.Equal(expected, received.Remote);
    }

    [Fact]
    public async Task A_huge_unverified_callback_is_stored_to_the_tight_cap()
    {
        var orderId = await AppliedOrderAsync();
        var body = $$"""{"orderId":"{{orderId}}","status":2,"junk":"{{new string('x', 60_000)}}","sign":"x"}""";

        var response = await NotifyAsync(body);

        Assert.Equal(401, response.Status);
        Assert.Equal(StorageText.MaxUnverifiedRawBody, Assert.Single(await CallbacksAsync(orderId)).RawBody!.Length);
    }
}
