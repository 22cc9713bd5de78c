using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using HaiPay;
using HaiPay.Sandbox;
using HaiPay.Sandbox.Faults;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Orchestration;

/// <summary>
/// The main paths end to end on the real engine. Every orchestration here runs several episodes (activities and
/// timers each end one), so each is replayed from its history several times: the assertions on the sandbox's
/// counters (one apply per order) and on the replay-safe log show that replays repeat no side effect.
/// </summary>
public sealed class CollectionOrchestrationEngineTests(CollectionEngineFixture engine) : IClassFixture<CollectionEngineFixture>
{
    [Fact]
    public async Task Notify_path_confirms_the_callback_with_one_query()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour { AutoAction = SettleAction.Pay });
        await engine.StartAsync(orderId, backoffSeconds: [60], deadlineSeconds: 300);
        await CollectionEngineFixture.WaitUntilAsync(() => engine.Sandbox.State.FindOrder(orderId)?.Status == CollectionStatus.Success);

        await engine.Client.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, Verified: true));

        var result = await ResultAsync(orderId);
        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 1), result);
        var order = await engine.Store.GetAsync(orderId);
        Assert.NotNull(order);
        Assert.Equal(OrderStatus.Succeeded, order.Status);
        Assert.Equal(CollectionStatus.Success, order.ProviderStatus);
        Assert.Equal(100.00m, order.ActualAmount);
        Assert.NotNull(order.OrderNo);
        Assert.NotNull(order.PayUrl);
        Assert.Equal([nameof(QueryReason.Notified)], await QueryReasonsAsync(orderId));
        var counters = engine.Sandbox.State.Counters.For(orderId);
        Assert.Equal((1, 1, 1), (counters.Applies, counters.AppliesAccepted, counters.Queries));
    }

    [Fact]
    public async Task A_callback_the_webhook_confirmed_and_settled_ends_the_orchestration_without_a_query_activity()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour { AutoAction = SettleAction.Pay });
        await engine.StartAsync(orderId, backoffSeconds: [60], deadlineSeconds: 300);
        await CollectionEngineFixture.WaitUntilAsync(() => engine.Sandbox.State.FindOrder(orderId)?.Status == CollectionStatus.Success);
        await CollectionEngineFixture.WaitUntilAsync(() => engine.Store.GetAsync(orderId).GetAwaiter().GetResult()?.Status == OrderStatus.AwaitingPayment);

        // What the webhook does for a verified final callback: HaiPay's query confirms it, the status is stored, then the signal.
        var settled = await engine.Services.GetRequiredService<SettlementService>()
            .QueryAsync(orderId, QueryReason.Notified, skipWhenFinal: false);
        Assert.Equal(OrderStatus.Succeeded, settled.Order.Status);
        await engine.Client.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent,
            new NotifySignal((int)settled.Reported!.Value, Verified: true, settled.Order.Status));

        var result = await ResultAsync(orderId);
        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 0), result);
        Assert.Equal([nameof(QueryReason.Notified)], await QueryReasonsAsync(orderId));
        Assert.Equal(1, engine.Sandbox.State.Counters.For(orderId).Queries);
    }

    [Fact]
    public async Task A_callback_arriving_while_a_query_runs_is_not_lost_to_the_cancelled_event_wait()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        engine.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query,
            Kind = FaultKind.Timeout,
            Hang = TimeSpan.FromSeconds(2),
            OrderId = orderId,
            Count = 1,
        });
        await engine.StartAsync(orderId, backoffSeconds: [1, 300], deadlineSeconds: 600);
        var counters = () => engine.Sandbox.State.Counters.For(orderId);

        // The timer won the first wait (so its event wait was cancelled) and the scheduled query hangs at HaiPay.
        await CollectionEngineFixture.WaitUntilAsync(() => counters().Queries == 1);
        await engine.Client.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(1, Verified: true));
        await CollectionEngineFixture.WaitUntilAsync(() => counters().Queries == 2);
        engine.Sandbox.Orders.Settle(orderId, SettleAction.Pay);
        await engine.Client.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, Verified: true));

        var result = await ResultAsync(orderId);
        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 3), result);
        Assert.Equal(
            [nameof(QueryReason.Scheduled), nameof(QueryReason.Notified), nameof(QueryReason.Notified)],
            await QueryReasonsAsync(orderId));
    }

    [Fact]
    public async Task Without_callbacks_the_scheduled_queries_find_the_payment()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        await engine.StartAsync(orderId, backoffSeconds: [1, 2], deadlineSeconds: 60);
        // Paid only after two queries found it unpaid (however slow the machine).
        await CollectionEngineFixture.WaitUntilAsync(() => engine.Sandbox.State.Counters.For(orderId).Queries >= 2);
        engine.Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var result = await ResultAsync(orderId);

        Assert.Equal(OrderStatus.Succeeded, result.Status);
        Assert.True(result.Queries >= 2, $"expected queries before the payment, got {result.Queries}");
        Assert.Equal(OrderStatus.Succeeded, (await engine.Store.GetAsync(orderId))!.Status);
        Assert.All(await QueryReasonsAsync(orderId), reason => Assert.Equal(nameof(QueryReason.Scheduled), reason));
        var counters = engine.Sandbox.State.Counters.For(orderId);
        Assert.Equal((1, 1, result.Queries), (counters.Applies, counters.AppliesAccepted, counters.Queries));
        Assert.Single(engine.Logs, log => log.Message.Contains($"Order {orderId}: HaiPay accepted the apply"));
    }

    [Fact]
    public async Task A_failed_collection_ends_the_order_as_failed()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour
        {
            AutoAction = SettleAction.Fail,
            AutoActionDelay = TimeSpan.FromSeconds(1),
        });
        await engine.StartAsync(orderId, backoffSeconds: [1], deadlineSeconds: 60);

        var result = await ResultAsync(orderId);

        Assert.Equal(OrderStatus.Failed, result.Status);
        Assert.Equal(3, result.ProviderStatus);
        var order = await engine.Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Failed, CollectionStatus.Failed), (order!.Status, order.ProviderStatus));
        Assert.False(string.IsNullOrEmpty(order.ErrorMessage));
        Assert.Equal(1, engine.Sandbox.State.Counters.For(orderId).Applies);
    }

    [Fact]
    public async Task A_rejected_apply_ends_the_order_as_rejected_without_queries()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        var fault = new FaultRule { Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BusinessError, OrderId = orderId };
        engine.Sandbox.State.Faults.Add(fault);
        await engine.StartAsync(orderId, backoffSeconds: [1], deadlineSeconds: 60);

        var metadata = await engine.CompletionAsync(orderId);

        Assert.Equal(new CollectionResult(OrderStatus.Rejected, null, 0), metadata.ReadOutputAs<CollectionResult>());
        Assert.Equal("Rejected", metadata.ReadCustomStatusAs<CollectionProgress>()!.Phase);
        var order = await engine.Store.GetAsync(orderId);
        Assert.Equal((OrderStatus.Rejected, fault.ErrorCode), (order!.Status, order.ErrorCode));
        var counters = engine.Sandbox.State.Counters.For(orderId);
        // The one query is the apply's own check of the refusal (does HaiPay hold an order under this id?);
        // the orchestration itself never queries a rejected order.
        Assert.Equal((0, 1), (counters.AppliesAccepted, counters.Queries));
        Assert.Equal([nameof(QueryReason.ApplyRefused)], await QueryReasonsAsync(orderId));
    }

    [Fact]
    public async Task A_transient_apply_failure_is_retried_by_the_engine()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour { AutoAction = SettleAction.Pay });
        engine.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply,
            Kind = FaultKind.ServerError,
            StatusCode = 503,
            OrderId = orderId,
            Count = 1,
        });
        await engine.StartAsync(orderId, backoffSeconds: [1], deadlineSeconds: 60);

        var result = await ResultAsync(orderId);

        Assert.Equal(OrderStatus.Succeeded, result.Status);
        Assert.Equal(1, engine.Sandbox.State.Counters.For(orderId).AppliesAccepted);
        var applies = (await engine.Store.GetAuditAsync(orderId)).Where(e => e.Kind == AuditKind.Apply).Select(e => e.Detail).ToList();
        Assert.Equal(4, applies.Count);
        Assert.Equal("attempt 1 sent", applies[0]);
        Assert.StartsWith("attempt 1 failed (ServerError)", applies[1]);
        Assert.Equal(["attempt 2 sent", "accepted"], applies[2..]);
    }

    [Fact]
    public async Task At_the_deadline_a_final_check_then_the_order_expires()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        await engine.StartAsync(orderId, backoffSeconds: [1], deadlineSeconds: 3);

        var result = await ResultAsync(orderId);

        Assert.Equal(OrderStatus.Expired, result.Status);
        Assert.Equal(OrderStatus.Expired, (await engine.Store.GetAsync(orderId))!.Status);
        var reasons = await QueryReasonsAsync(orderId);
        Assert.Equal(nameof(QueryReason.FinalCheck), reasons[^1]);
        Assert.Single(reasons, nameof(QueryReason.FinalCheck));
        var counters = engine.Sandbox.State.Counters.For(orderId);
        Assert.Equal((1, result.Queries), (counters.Applies, counters.Queries));
    }

    [Fact]
    public async Task Continue_as_new_carries_the_loop_state_and_never_applies_again()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        await engine.StartAsync(orderId, backoffSeconds: [1], deadlineSeconds: 60, continueAsNewAfterQueries: 2);
        // Paid only once a third query shows a second generation is running (however slow the machine).
        await CollectionEngineFixture.WaitUntilAsync(() => engine.Sandbox.State.Counters.For(orderId).Queries >= 3);
        engine.Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var metadata = await engine.CompletionAsync(orderId);

        var result = metadata.ReadOutputAs<CollectionResult>()!;
        Assert.Equal(OrderStatus.Succeeded, result.Status);
        var lastGeneration = metadata.ReadInputAs<CollectionInput>()!;
        Assert.True(lastGeneration.Applied);
        Assert.True(lastGeneration.QueriesMade >= 2, $"expected a continued generation, its input has {lastGeneration.QueriesMade} queries");
        Assert.Equal(0, lastGeneration.QueriesMade % 2);
        Assert.NotNull(lastGeneration.DeadlineUtc);
        Assert.NotNull(lastGeneration.PayUrl);
        var counters = engine.Sandbox.State.Counters.For(orderId);
        Assert.Equal((1, result.Queries), (counters.Applies, counters.Queries));
        Assert.Equal(OrderStatus.Succeeded, (await engine.Store.GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task A_callback_arriving_during_the_last_query_of_a_generation_is_handled_before_continuing_as_new()
    {
        var orderId = await engine.CreateOrderAsync(new OrderBehaviour());
        engine.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Query,
            Kind = FaultKind.Timeout,
            Hang = TimeSpan.FromSeconds(2),
            OrderId = orderId,
            Count = 2,
        });
        await engine.StartAsync(orderId, backoffSeconds: [1, 300], deadlineSeconds: 600, continueAsNewAfterQueries: 1);
        var counters = () => engine.Sandbox.State.Counters.For(orderId);

        // The generation's only query hangs and the callback arrives meanwhile: it must be queried for at once, not
        // handed to a next generation (or left to the 300 s timer).
        await CollectionEngineFixture.WaitUntilAsync(() => counters().Queries == 1);
        await engine.Client.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(2, Verified: true));
        await CollectionEngineFixture.WaitUntilAsync(() => counters().Queries == 2);
        engine.Sandbox.Orders.Settle(orderId, SettleAction.Pay);

        var result = await ResultAsync(orderId);
        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal([nameof(QueryReason.Scheduled), nameof(QueryReason.Notified)], await QueryReasonsAsync(orderId));
    }

    private async Task<CollectionResult> ResultAsync(string orderId)
    {
        var metadata = await engine.CompletionAsync(orderId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return metadata.ReadOutputAs<CollectionResult>()!;
    }

    private async Task<List<string?>> QueryReasonsAsync(string orderId) =>
        (await engine.Store.GetAuditAsync(orderId)).Where(e => e.Kind == AuditKind.Query).Select(e => e.Reason).ToList();
}
