using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Client;
using HaiPay.Sandbox;
using HaiPay.Sandbox.Faults;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Activities;

/// <summary>The activities against the real sandbox over HTTP and the real store on Azurite.</summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class ActivitiesTests(CollectEnvironment environment) : IDisposable
{
    private readonly ServiceProvider _product = environment.CreateProduct();

    private OrderStore Store => _product.GetRequiredService<OrderStore>();
    private ApplyActivity Apply => _product.GetRequiredService<ApplyActivity>();
    private QueryActivity Query => _product.GetRequiredService<QueryActivity>();
    private ExpireActivity Expire => _product.GetRequiredService<ExpireActivity>();

    public void Dispose() => _product.Dispose();

    private async Task<Order> StorePendingAsync(decimal amount = 100m)
    {
        var order = TestOrders.Pending(amount: amount);
        await Store.CreateAsync(order);
        return order;
    }

    private async Task<Order> StoreAppliedAsync()
    {
        var order = await StorePendingAsync();
        Assert.Equal(OrderStatus.AwaitingPayment, (await Apply.ApplyAsync(order.OrderId)).Status);
        return order;
    }

    [Fact]
    public async Task Apply_opens_the_collection_at_haipay_with_the_products_notify_url()
    {
        var order = await StorePendingAsync(amount: 100m);

        var outcome = await Apply.ApplyAsync(order.OrderId);

        Assert.Equal(OrderStatus.AwaitingPayment, outcome.Status);
        var atHaiPay = environment.Sandbox.State.FindOrder(order.OrderId)!;
        Assert.Equal(outcome.OrderNo, atHaiPay.OrderNo);
        Assert.Equal("http://127.0.0.1:9/api/haipay/notify", atHaiPay.NotifyUrl);
        Assert.Equal(100m, atHaiPay.Amount);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.AwaitingPayment, outcome.OrderNo, outcome.PayUrl), (stored!.Status, stored.OrderNo, stored.PayUrl));
        var audit = await Store.GetAuditAsync(order.OrderId);
        Assert.Contains(audit, e => e.Kind == AuditKind.Apply && e.Detail == "attempt 1 sent");
        Assert.Contains(audit, e => e.Kind == AuditKind.Apply && e.Detail == "accepted" && e.OrderNo == outcome.OrderNo);
        Assert.Equal(1, stored.ApplyAttempts);
        Assert.Contains(audit, e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.AwaitingPayment);
    }

    [Fact]
    public async Task A_repeated_apply_returns_the_stored_outcome_without_calling_haipay()
    {
        var order = await StorePendingAsync();
        var first = await Apply.ApplyAsync(order.OrderId);

        var second = await Apply.ApplyAsync(order.OrderId);

        Assert.Equal(first, second);
        Assert.Equal(1, environment.Sandbox.State.Counters.For(order.OrderId).Applies);
    }

    [Fact]
    public async Task A_business_rejection_haipay_holds_nothing_for_is_rejected_and_returned_as_an_outcome()
    {
        var order = await StorePendingAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BusinessError, OrderId = order.OrderId,
            ErrorCode = "4002", Message = "channel code does not exist",
        });

        var outcome = await Apply.ApplyAsync(order.OrderId);

        Assert.Equal(new ApplyOutcome(OrderStatus.Rejected, null, null, "4002", "channel code does not exist"), outcome);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.Rejected, "4002"), (stored!.Status, stored.ErrorCode));
        Assert.Equal(outcome, await Apply.ApplyAsync(order.OrderId));
        var audit = await Store.GetAuditAsync(order.OrderId);
        Assert.Contains(audit, e => e is { Kind: AuditKind.Query, Reason: "ApplyRefused", Detail: "query refused" });
        Assert.Equal(1, environment.Sandbox.State.Counters.For(order.OrderId).Applies);
    }

    [Fact]
    public async Task A_transient_failure_propagates_and_leaves_the_order_pending()
    {
        var order = await StorePendingAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.ServerError, OrderId = order.OrderId, StatusCode = 503,
        });

        await Assert.ThrowsAsync<HaiPayTransientException>(() => Apply.ApplyAsync(order.OrderId));

        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.Pending, 1), (stored!.Status, stored.ApplyAttempts));
        Assert.Contains(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Apply && e.Detail!.StartsWith("attempt 1 failed (ServerError)"));
    }

    [Fact]
    public async Task An_apply_whose_answer_was_lost_is_found_at_haipay_instead_of_rejected_as_a_duplicate()
    {
        var order = await StorePendingAsync();
        // HaiPay processes the apply, but the answer never arrives in time.
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.Timeout, OrderId = order.OrderId, Count = 1,
            Hang = TimeSpan.FromSeconds(3),
        });
        using var impatient = environment.CreateProduct(new Dictionary<string, string?>
        {
            ["HaiPay:AttemptTimeout"] = "00:00:01",
        });
        var store = impatient.GetRequiredService<OrderStore>();
        await store.CreateAsync(order);
        var apply = impatient.GetRequiredService<ApplyActivity>();
        await Assert.ThrowsAsync<HaiPayTransientException>(() => apply.ApplyAsync(order.OrderId));
        for (var i = 0; i < 100 && environment.Sandbox.State.FindOrder(order.OrderId) is null; i++)
        {
            await Task.Delay(100); // the durable retry waits too: HaiPay finishes the first attempt meanwhile
        }

        var outcome = await apply.ApplyAsync(order.OrderId);

        var atHaiPay = environment.Sandbox.State.FindOrder(order.OrderId)!;
        Assert.Equal(new ApplyOutcome(OrderStatus.AwaitingPayment, atHaiPay.OrderNo, null, null, null), outcome);
        Assert.Equal(2, environment.Sandbox.State.Counters.For(order.OrderId).Applies);
        var stored = await store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.AwaitingPayment, atHaiPay.OrderNo, 2), (stored!.Status, stored.OrderNo, stored.ApplyAttempts));
        var applies = (await store.GetAuditAsync(order.OrderId)).Where(e => e.Kind == AuditKind.Apply).Select(e => e.Detail!).ToList();
        Assert.Equal(["attempt 1 sent", "attempt 1 failed", "attempt 2 sent", "attempt 2 refused;"], applies.Select(d => string.Join(' ', d.Split(' ').Take(3))));
    }

    [Fact]
    public async Task An_order_id_already_paid_at_haipay_does_not_make_a_new_unpaid_order_succeeded()
    {
        // Another environment on the same appId (or this one before its tables were reset) used the orderId, same amount, and was paid.
        var earlier = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(earlier.OrderId, SettleAction.Pay);
        using var fresh = environment.CreateProduct();
        var freshStore = fresh.GetRequiredService<OrderStore>();
        await freshStore.CreateAsync(TestOrders.Pending(earlier.OrderId, amount: earlier.Amount));

        var outcome = await fresh.GetRequiredService<ApplyActivity>().ApplyAsync(earlier.OrderId);

        Assert.Equal(OrderStatus.NeedsReview, outcome.Status);
        var stored = await freshStore.GetAsync(earlier.OrderId);
        Assert.Equal(OrderStatus.NeedsReview, stored!.Status);
        var audit = await freshStore.GetAuditAsync(earlier.OrderId);
        Assert.Contains(audit, e => e.Kind == AuditKind.Apply && e.Detail!.Contains("refused") && e.ErrorCode is not null);
        Assert.Contains(audit, e => e is { Kind: AuditKind.Query, Reason: "ApplyRefused", ProviderStatus: 2 });
        Assert.Contains(audit, e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.NeedsReview && e.Detail!.Contains("holds an order"));
        Assert.DoesNotContain(audit, e => e.ToStatus == OrderStatus.Succeeded);
    }

    [Fact]
    public async Task A_refusal_whose_check_fails_is_checked_again_on_retry_without_a_second_apply()
    {
        var order = await StorePendingAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BusinessError, OrderId = order.OrderId, Count = 1 });
        environment.Sandbox.State.Faults.Add(new FaultRule { Endpoint = FaultEndpoint.Query, Kind = FaultKind.ServerError, OrderId = order.OrderId, Count = 3 });

        await Assert.ThrowsAsync<HaiPayTransientException>(() => Apply.ApplyAsync(order.OrderId));
        Assert.True((await Store.GetAsync(order.OrderId))!.HasUncheckedRefusal());
        Assert.Equal(OrderStatus.Pending, (await Expire.ExpireAsync(order.OrderId)).Status);

        var outcome = await Apply.ApplyAsync(order.OrderId);

        Assert.Equal(OrderStatus.Rejected, outcome.Status);
        Assert.Equal(1, environment.Sandbox.State.Counters.For(order.OrderId).Applies);
    }

    [Fact]
    public async Task A_duplicate_orderId_held_at_haipay_for_another_amount_needs_review()
    {
        var first = await StoreAppliedAsync();
        using var other = environment.CreateProduct();
        var otherStore = other.GetRequiredService<OrderStore>();
        await otherStore.CreateAsync(TestOrders.Pending(first.OrderId, amount: 250m));

        var outcome = await other.GetRequiredService<ApplyActivity>().ApplyAsync(first.OrderId);

        Assert.Equal(OrderStatus.NeedsReview, outcome.Status);
        Assert.Equal(OrderStatus.NeedsReview, (await otherStore.GetAsync(first.OrderId))!.Status);
    }

    [Fact]
    public async Task Query_of_an_open_order_keeps_it_awaiting_payment()
    {
        var order = await StoreAppliedAsync();

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(new OrderProgress(OrderStatus.AwaitingPayment, CollectionStatus.NotStarted), progress);
        Assert.Contains(await Store.GetAuditAsync(order.OrderId),
            e => e.Kind == AuditKind.Query && e.Reason == "Scheduled" && e.ProviderStatus == 0);
    }

    [Fact]
    public async Task Query_of_a_paid_order_succeeds_with_the_actual_amount_and_fee()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Notified));

        Assert.Equal(new OrderProgress(OrderStatus.Succeeded, CollectionStatus.Success), progress);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal(100m, stored!.ActualAmount);
        Assert.NotNull(stored.Fee);
        Assert.NotNull(stored.PayTime);
    }

    [Fact]
    public async Task Query_of_a_partial_collection_needs_review()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Partial);

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(new OrderProgress(OrderStatus.NeedsReview, CollectionStatus.PartialCollection), progress);
        Assert.True(progress.IsFinal);
    }

    [Fact]
    public async Task Expire_then_a_late_success_ends_succeeded()
    {
        var order = await StoreAppliedAsync();

        var expired = await Expire.ExpireAsync(order.OrderId);
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        var late = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Notified));

        Assert.Equal(OrderStatus.Expired, expired.Status);
        Assert.Equal(OrderStatus.Succeeded, late.Status);
        var audit = await Store.GetAuditAsync(order.OrderId);
        var kinds = audit.Select(e => (e.Kind, e.ToStatus)).ToList();
        Assert.Contains((AuditKind.Expire, (OrderStatus?)OrderStatus.Expired), kinds);
        Assert.Contains(audit, e => e.Kind == AuditKind.Expire && e.Detail!.Contains("AwaitingPayment → Expired"));
        Assert.Contains((AuditKind.Transition, (OrderStatus?)OrderStatus.Expired), kinds);
        Assert.Contains((AuditKind.Transition, (OrderStatus?)OrderStatus.Succeeded), kinds);
    }

    [Fact]
    public async Task Expire_leaves_a_final_order_alone()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Fail);
        await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        var progress = await Expire.ExpireAsync(order.OrderId);

        Assert.Equal(OrderStatus.Failed, progress.Status);
        var expiry = Assert.Single(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Expire);
        Assert.Equal((OrderStatus.Failed, OrderStatus.Failed), (expiry.FromStatus, expiry.ToStatus));
        Assert.Contains("already Failed: nothing changed", expiry.Detail);
        Assert.DoesNotContain("without a final status", expiry.Detail);
    }

    [Theory]
    [InlineData("status", "7", "'7'")]
    [InlineData("status", "paid", "'paid'")]
    public async Task An_unknown_status_needs_review_at_once_with_the_raw_value(string field, string value, string expected)
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.AlterData, OrderId = order.OrderId, Count = 1,
            Data = new Dictionary<string, string?> { [field] = value },
        });

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(OrderStatus.NeedsReview, progress.Status);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Contains(expected, stored!.ErrorMessage);
        Assert.Contains(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Query && e.RawBody!.Contains(value));
    }

    [Theory]
    [InlineData("payTime", "17/04/2026 10:00")]
    [InlineData("fee", "1,50")]
    public async Task Odd_fields_that_decide_nothing_do_not_stop_a_paid_order_succeeding(string field, string value)
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.AlterData, OrderId = order.OrderId, Count = 1,
            Data = new Dictionary<string, string?> { [field] = value },
        });

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(new OrderProgress(OrderStatus.Succeeded, CollectionStatus.Success), progress);
        var query = Assert.Single(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Query);
        Assert.Contains($"{field}={value}", query.Detail);
    }

    [Fact]
    public async Task A_success_with_an_unreadable_actual_amount_needs_review_instead_of_retrying_until_expiry()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.AlterData, OrderId = order.OrderId, Count = 1,
            Data = new Dictionary<string, string?> { ["actualAmount"] = "100,00" },
        });

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(OrderStatus.NeedsReview, progress.Status);
    }

    [Theory]
    [InlineData("amount", "99.00")]
    [InlineData("amount", null)]
    [InlineData("currency", "USD")]
    public async Task A_success_for_other_money_needs_review(string field, string? value)
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.AlterData, OrderId = order.OrderId, Count = 1,
            Data = new Dictionary<string, string?> { [field] = value, ["actualAmount"] = null },
        });

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(OrderStatus.NeedsReview, progress.Status);
    }

    [Fact]
    public async Task A_query_of_an_order_already_settled_does_not_ask_haipay_again()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Notified));
        var queries = environment.Sandbox.State.Counters.For(order.OrderId).Queries;

        var again = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Notified));

        Assert.Equal(OrderStatus.Succeeded, again.Status);
        Assert.Equal(queries, environment.Sandbox.State.Counters.For(order.OrderId).Queries);
    }

    [Fact]
    public async Task A_refused_query_is_audited_and_changes_nothing()
    {
        var order = await StoreAppliedAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.BusinessError, OrderId = order.OrderId, Count = 1,
        });

        var progress = await Query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Scheduled));

        Assert.Equal(new OrderProgress(OrderStatus.AwaitingPayment, null), progress);
        Assert.Contains(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Query && e.ErrorCode is not null);
    }

    [Fact]
    public async Task A_brief_server_error_is_retried_at_the_http_layer_for_a_query_but_never_for_an_apply()
    {
        var applied = await StoreAppliedAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query, Kind = FaultKind.ServerError, OrderId = applied.OrderId, Count = 1,
        });
        var pending = await StorePendingAsync();
        environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.ServerError, OrderId = pending.OrderId, Count = 1,
        });

        var progress = await Query.QueryAsync(new QueryRequest(applied.OrderId, QueryReason.Scheduled));
        await Assert.ThrowsAsync<HaiPayTransientException>(() => Apply.ApplyAsync(pending.OrderId));

        Assert.Equal(CollectionStatus.NotStarted, progress.ProviderStatus);
        Assert.Null(environment.Sandbox.State.FindOrder(pending.OrderId));
    }
}
