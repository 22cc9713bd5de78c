using Collect.Core.Operations;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Collect.Core.Tests.Operations;

/// <summary>
/// Customer-data retention against the real store and index on Azurite, with the clock moved by hand: ended orders past
/// the period lose the customer's name, phone and email (row and audit text), everything else stays.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class CustomerDataRetentionTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _product;

    public CustomerDataRetentionTests(CollectEnvironment environment)
    {
        _product = environment.CreateProduct(new Dictionary<string, string?>
        {
            ["Collect:CustomerDataRetention"] = Retention.ToString("c"),
        }, _time);
    }

    public void Dispose() => _product.Dispose();

    private OrderStore Store => _product.GetRequiredService<OrderStore>();
    private Task<CustomerDataRetentionRun> RunAsync() => _product.GetRequiredService<CustomerDataRetention>().RunAsync();

    /// <summary>An order created now, then moved to <paramref name="status"/>, with a callback whose raw body repeats the contact details.</summary>
    private async Task<Order> OrderAsync(OrderStatus status)
    {
        var order = TestOrders.Pending(now: _time.GetUtcNow());
        await Store.CreateAsync(order);
        await Store.AppendAuditAsync(new AuditEntry
        {
            OrderId = order.OrderId,
            Kind = AuditKind.CallbackReceived,
            RawBody = $$"""{"orderId":"{{order.OrderId}}","status":2,"amount":"100.00","name":"{{order.Name}}","phone":"85251234567","email":"TAI.MAN@example.com"}""",
            Verification = "verified",
        });
        await Store.UpdateAsync(order.OrderId, o => o with { Status = status, OrderNo = "SBX1", ActualAmount = 100m, UpdatedAt = _time.GetUtcNow() }, "test");
        return order;
    }

    private async Task<Order> ReadAsync(string orderId) => await Store.GetRequiredAsync(orderId);

    [Fact]
    public async Task A_run_that_died_after_scrubbing_the_audit_is_finished_by_the_next_and_nothing_is_done_twice()
    {
        // A run killed between its two writes (audit text scrubbed, order row not yet marked): the order still holds
        // its details and is not marked, so the next run erases it; a run after that finds nothing left to do.
        var order = await OrderAsync(OrderStatus.Failed);
        _time.Advance(Retention + TimeSpan.FromHours(1));
        var scrubbed = await Store.ScrubAuditAsync(order.OrderId, CustomerDataRetention.ContactValues(await ReadAsync(order.OrderId)),
            CustomerDataRetention.Replacement);
        Assert.Equal(1, scrubbed);
        Assert.Null((await ReadAsync(order.OrderId)).CustomerDataErasedAt);

        var resumed = await RunAsync();
        var again = await RunAsync();

        Assert.Equal((1, 0), (resumed.Erased, resumed.AuditEntriesScrubbed));
        Assert.Equal((0, 0), (again.Erased, again.AuditEntriesScrubbed));
        var erased = await ReadAsync(order.OrderId);
        Assert.Equal(("", "", ""), (erased.Name, erased.Phone, erased.Email));
        var audit = await Store.GetAuditAsync(order.OrderId);
        Assert.Single(audit, e => e.Kind == AuditKind.CustomerDataErased);
        Assert.DoesNotContain("Chan Tai Man", audit.Single(e => e.Kind == AuditKind.CallbackReceived).RawBody);
    }

    [Fact]
    public async Task An_ended_order_past_the_period_loses_its_contact_details_and_keeps_its_money_and_history()
    {
        var order = await OrderAsync(OrderStatus.Succeeded);
        _time.Advance(Retention - TimeSpan.FromHours(1));
        Assert.Equal(0, (await RunAsync()).Erased);
        Assert.Equal(order.Email, (await ReadAsync(order.OrderId)).Email);

        _time.Advance(TimeSpan.FromHours(2));
        var run = await RunAsync();

        Assert.Equal((1, 1), (run.Erased, run.AuditEntriesScrubbed));
        var erased = await ReadAsync(order.OrderId);
        Assert.Equal(("", "", ""), (erased.Name, erased.Phone, erased.Email));
        Assert.Equal(_time.GetUtcNow(), erased.CustomerDataErasedAt);
        Assert.Equal((OrderStatus.Succeeded, 100m, 100m, "SBX1", "user-42"),
            (erased.Status, erased.Amount, erased.ActualAmount, erased.OrderNo, erased.PartnerUserId));
        Assert.Equal(CustomerDataRetention.ErasedRequestHash, erased.RequestHash);
        var audit = await Store.GetAuditAsync(order.OrderId);
        var callback = Assert.Single(audit, e => e.Kind == AuditKind.CallbackReceived);
        Assert.DoesNotContain("Chan Tai Man", callback.RawBody);
        Assert.DoesNotContain("51234567", callback.RawBody);
        Assert.DoesNotContain("tai.man@example.com", callback.RawBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"status\":2", callback.RawBody);
        Assert.Contains("\"amount\":\"100.00\"", callback.RawBody);
        Assert.Equal("verified", callback.Verification);
        var entry = Assert.Single(audit, e => e.Kind == AuditKind.CustomerDataErased);
        Assert.Equal(CustomerDataRetention.Actor, entry.Actor);
        Assert.Contains(audit, e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.Succeeded);
    }

    [Fact]
    public async Task Nothing_is_erased_twice_and_a_run_reads_only_what_became_due_since_the_last()
    {
        var first = await OrderAsync(OrderStatus.Failed);
        _time.Advance(TimeSpan.FromDays(3));
        var second = await OrderAsync(OrderStatus.Expired);
        _time.Advance(Retention + TimeSpan.FromMinutes(1));

        Assert.Equal(2, (await RunAsync()).Erased);
        var again = await RunAsync();

        Assert.Equal((0, 0), (again.Erased, again.Held));
        Assert.Equal(_time.GetUtcNow() - Retention, again.DoneBefore);
        foreach (var orderId in new[] { first.OrderId, second.OrderId })
        {
            Assert.Single(await Store.GetAuditAsync(orderId), e => e.Kind == AuditKind.CustomerDataErased);
        }
    }

    [Fact]
    public async Task An_order_in_review_keeps_its_details_until_it_is_resolved_and_then_loses_them()
    {
        var review = await OrderAsync(OrderStatus.NeedsReview);
        _time.Advance(Retention + TimeSpan.FromDays(1));

        var held = await RunAsync();
        Assert.Equal((0, 1), (held.Erased, held.Held));
        Assert.Equal(review.Phone, (await ReadAsync(review.OrderId)).Phone);

        await Store.UpdateAsync(review.OrderId, o => OrderTransitions.Resolve(o, OrderStatus.Succeeded, "paid, checked with HaiPay", _time.GetUtcNow()), "operator");
        _time.Advance(TimeSpan.FromHours(1));
        var resolved = await RunAsync();

        Assert.Equal((1, 0), (resolved.Erased, resolved.Held));
        Assert.Equal("", (await ReadAsync(review.OrderId)).Phone);
        Assert.Equal((0, 0), ((await RunAsync()).Erased, (await RunAsync()).Held));
    }

    [Fact]
    public async Task A_failing_history_purge_does_not_keep_customer_data_and_the_run_still_fails()
    {
        var order = await OrderAsync(OrderStatus.Succeeded);
        _time.Advance(Retention + TimeSpan.FromHours(1));
        var durable = new DurableClientDouble();
        durable.Mock.Setup(c => c.PurgeAllInstancesAsync(It.IsAny<Microsoft.DurableTask.Client.PurgeInstancesFilter>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("task hub unreachable"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => _product.GetRequiredService<RetentionJobs>().RunAsync(durable.Client));

        Assert.Equal("task hub unreachable", failure.Message);
        Assert.Equal("", (await ReadAsync(order.OrderId)).Email);
    }

    [Fact]
    public async Task The_storefront_replaying_an_erased_orders_create_gets_409_and_the_details_stay_erased()
    {
        var order = await OrderAsync(OrderStatus.Succeeded);
        var handler = _product.GetRequiredService<Collect.Core.Http.OrdersHandler>();
        async Task<int> ReplayAsync() => (await HttpExchange.ExecuteAsync(
            await handler.CreateAsync(HttpExchange.PostJson(_product, TestOrders.CreateBody(order.OrderId)), new DurableClientDouble().Client), _product)).Status;
        Assert.Equal(200, await ReplayAsync());
        _time.Advance(Retention + TimeSpan.FromHours(1));
        Assert.Equal(1, (await RunAsync()).Erased);

        Assert.Equal(409, await ReplayAsync());
        var stored = await ReadAsync(order.OrderId);
        Assert.Equal(("", "", ""), (stored.Name, stored.Phone, stored.Email));
    }

    [Fact]
    public void Only_ended_orders_are_erased_and_an_erased_one_stays_as_it_is()
    {
        var now = _time.GetUtcNow();
        foreach (var status in new[] { OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.NeedsReview })
        {
            var order = TestOrders.WithStatus(status);
            Assert.Same(order, CustomerDataRetention.Erase(order, now));
        }
        foreach (var status in new[] { OrderStatus.Succeeded, OrderStatus.Failed, OrderStatus.Rejected, OrderStatus.Expired, OrderStatus.Cancelled })
        {
            var erased = CustomerDataRetention.Erase(TestOrders.WithStatus(status), now);
            Assert.Equal(now, erased.CustomerDataErasedAt);
            Assert.Same(erased, CustomerDataRetention.Erase(erased, now.AddDays(1)));
        }
        Assert.Equal(["Chan Tai Man", "+85251234567", "85251234567", "tai.man@example.com"],
            CustomerDataRetention.ContactValues(TestOrders.Pending()));
    }
}
