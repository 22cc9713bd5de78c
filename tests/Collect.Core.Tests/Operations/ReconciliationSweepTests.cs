using Collect.Core.Collection;
using Collect.Core.Operations;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay.Sandbox;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Operations;

/// <summary>
/// The reconciliation sweep against the real store and work list on Azurite and the real sandbox; the orchestration
/// engine is the <see cref="DurableClientDouble"/> (instances are whatever the test says they are). The clock is moved
/// by hand.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class ReconciliationSweepTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _product;
    private readonly DurableClientDouble _durable = new();

    public ReconciliationSweepTests(CollectEnvironment environment)
    {
        _environment = environment;
        _product = environment.CreateProduct(new Dictionary<string, string?>
        {
            ["Collect:ExpiredRequery"] = "01:00:00*2,1.00:00:00*1",
        }, _time);
    }

    public void Dispose() => _product.Dispose();

    private OrderStore Store => _product.GetRequiredService<OrderStore>();
    private OrderIndex Index => _product.GetRequiredService<OrderIndex>();
    private Task<SweepReport> SweepAsync() => _product.GetRequiredService<ReconciliationSweep>().RunAsync(_durable.Client);

    /// <summary>An order stored as create stores it: its work-list row first, due after the grace period.</summary>
    private async Task<Order> StoredAsync(Func<Order, Order>? shape = null)
    {
        var order = (shape ?? (o => o))(TestOrders.Pending(now: _time.GetUtcNow()));
        await Index.AddAsync(new SweepEntry(order.OrderId, order.CreatedAt + TimeSpan.FromMinutes(2)));
        await Store.CreateAsync(order);
        return order;
    }

    private async Task<SweepEntry> RowAsync(string orderId) => Assert.Single(await Index.ForOrderAsync(orderId));

    private async Task<IReadOnlyList<AuditEntry>> SweepAuditAsync(string orderId) =>
        (await Store.GetAuditAsync(orderId)).Where(e => e.Actor == ReconciliationSweep.Actor).ToList();

    [Fact]
    public async Task A_pending_order_whose_orchestration_never_started_is_started_after_the_grace_period()
    {
        var order = await StoredAsync();

        await SweepAsync();
        Assert.Equal(0, _durable.Starts);

        _time.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();

        Assert.Equal(1, _durable.Starts);
        var input = Assert.Single(_durable.Inputs);
        Assert.Equal((order.OrderId, false), (input.OrderId, input.Applied));
        Assert.Equal((order.CreatedAt + TimeSpan.FromMinutes(30)).UtcDateTime, input.DeadlineUtc);
        var audit = Assert.Single(await SweepAuditAsync(order.OrderId));
        Assert.Equal((AuditKind.Sweep, "sweep"), (audit.Kind, audit.Reason));
        Assert.Contains("orchestration is missing: started again", audit.Detail);
        var row = await RowAsync(order.OrderId);
        Assert.Equal((1, _time.GetUtcNow() + TimeSpan.FromMinutes(2)), (row.Restarts, row.DueAt));
    }

    [Fact]
    public async Task A_waiting_order_with_a_live_orchestration_is_left_alone_until_after_its_deadline()
    {
        var order = await StoredAsync();
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);
        _time.Advance(TimeSpan.FromMinutes(3));

        var report = await SweepAsync();

        Assert.Equal(1, report.Watching);
        Assert.Equal(0, _durable.Starts);
        Assert.Empty(await SweepAuditAsync(order.OrderId));
        Assert.Equal(order.CreatedAt + TimeSpan.FromMinutes(32), (await RowAsync(order.OrderId)).DueAt);
    }

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Failed)]
    [InlineData(OrchestrationRuntimeStatus.Terminated)]
    [InlineData(OrchestrationRuntimeStatus.Completed)]
    public async Task An_order_awaiting_payment_whose_orchestration_is_dead_is_restarted_without_a_second_apply(OrchestrationRuntimeStatus dead)
    {
        var order = await StoredAsync(o => o with { Status = OrderStatus.AwaitingPayment, OrderNo = "SBX-1", PayUrl = "https://pay/1" });
        _durable.SetStatus(order.OrderId, dead);
        _time.Advance(TimeSpan.FromMinutes(2));

        var report = await SweepAsync();

        Assert.Equal(1, report.Restarted);
        var input = Assert.Single(_durable.Inputs);
        Assert.Equal((true, "SBX-1", "https://pay/1"), (input.Applied, input.OrderNo, input.PayUrl));
        Assert.Contains($"orchestration is {dead}", Assert.Single(await SweepAuditAsync(order.OrderId)).Detail);
    }

    [Fact]
    public async Task A_live_instance_is_never_started_twice_even_if_it_became_live_meanwhile()
    {
        var order = await StoredAsync();
        _time.Advance(TimeSpan.FromMinutes(2));
        _durable.OnStart = _ => Task.CompletedTask;
        await SweepAsync();
        _time.Advance(TimeSpan.FromMinutes(2));

        var report = await SweepAsync();

        Assert.Equal((0, 1), (report.Restarted, report.Watching));
        Assert.Equal(1, _durable.Starts);
    }

    [Fact]
    public async Task After_the_most_restarts_the_sweep_only_reports_the_order()
    {
        var order = await StoredAsync();
        _durable.OnStart = id =>
        {
            _durable.SetStatus(id, OrchestrationRuntimeStatus.Failed);
            return Task.CompletedTask;
        };
        for (var run = 0; run < 8; run++)
        {
            _time.Advance(TimeSpan.FromMinutes(2));
            await SweepAsync();
        }

        Assert.Equal(5, _durable.Starts);
        Assert.Equal(5, (await SweepAuditAsync(order.OrderId)).Count);
        Assert.Equal(5, (await RowAsync(order.OrderId)).Restarts);
    }

    [Theory]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.Rejected)]
    [InlineData(OrderStatus.NeedsReview)]
    public async Task A_settled_order_leaves_the_work_list(OrderStatus status)
    {
        var order = await StoredAsync(o => o with { Status = status });
        _time.Advance(TimeSpan.FromMinutes(2));

        var report = await SweepAsync();

        Assert.Equal(1, report.Settled);
        Assert.Empty(await Index.ForOrderAsync(order.OrderId));
        Assert.Equal(0, _durable.Starts);
    }

    [Fact]
    public async Task An_expired_order_paid_late_with_every_callback_lost_ends_succeeded()
    {
        var order = await StoredAsync();
        await _product.GetRequiredService<ApplyActivity>().ApplyAsync(order.OrderId);
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(order.OrderId);
        _environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);
        _time.Advance(TimeSpan.FromMinutes(2));

        var report = await SweepAsync();

        Assert.Equal(1, report.Requeried);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.Succeeded, 100m), (stored!.Status, stored.ActualAmount));
        Assert.Empty(await Index.ForOrderAsync(order.OrderId));
        var query = Assert.Single(await SweepAuditAsync(order.OrderId));
        Assert.Equal((AuditKind.Query, "Sweep"), (query.Kind, query.Reason));
        Assert.Contains(await Store.GetAuditAsync(order.OrderId),
            e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.Succeeded && e.Reason == "query (Sweep)");
    }

    [Fact]
    public async Task An_expired_order_is_re_queried_on_the_slow_schedule_and_then_no_more()
    {
        var order = await StoredAsync();
        await _product.GetRequiredService<ApplyActivity>().ApplyAsync(order.OrderId);
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(order.OrderId);
        var queries = () => _environment.Sandbox.State.Counters.For(order.OrderId).Queries;

        _time.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
        Assert.Equal((1, _time.GetUtcNow() + TimeSpan.FromHours(1)), (queries(), (await RowAsync(order.OrderId)).DueAt));

        _time.Advance(TimeSpan.FromMinutes(30));
        await SweepAsync();
        Assert.Equal(1, queries());

        _time.Advance(TimeSpan.FromMinutes(30));
        await SweepAsync();
        Assert.Equal((2, _time.GetUtcNow() + TimeSpan.FromDays(1)), (queries(), (await RowAsync(order.OrderId)).DueAt));

        _time.Advance(TimeSpan.FromDays(1));
        await SweepAsync();
        Assert.Equal(3, queries());
        Assert.Empty(await Index.ForOrderAsync(order.OrderId));
        Assert.Contains("no longer re-queried", (await SweepAuditAsync(order.OrderId))[^1].Detail);

        _time.Advance(TimeSpan.FromDays(30));
        await SweepAsync();
        Assert.Equal(3, queries());
        Assert.Equal(OrderStatus.Expired, (await Store.GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public async Task A_row_whose_order_was_never_inserted_is_dropped_after_a_while()
    {
        var orderId = TestOrders.NewOrderId("ghost");
        await Index.AddAsync(new SweepEntry(orderId, _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Single(await Index.ForOrderAsync(orderId));

        _time.Advance(TimeSpan.FromMinutes(10));
        var report = await SweepAsync();

        Assert.Equal(1, report.Dropped);
        Assert.Empty(await Index.ForOrderAsync(orderId));
    }

    [Fact]
    public async Task A_run_reads_only_the_rows_that_are_due()
    {
        var notDue = await StoredAsync();
        _time.Advance(TimeSpan.FromMinutes(1));

        var report = await SweepAsync();

        Assert.Equal(0, report.Due);
        Assert.Equal(notDue.CreatedAt + TimeSpan.FromMinutes(2), (await RowAsync(notDue.OrderId)).DueAt);
    }
}
