using System.Text.Json;
using Collect.Core.Collection;
using Collect.Core.Orders;
using HaiPay;
using HaiPay.Client;
using Microsoft.DurableTask;
using static Collect.Core.Tests.Orchestration.ScriptedOrchestrationContext;

namespace Collect.Core.Tests.Orchestration;

public sealed class CollectionOrchestratorTests
{
    private static readonly CollectionInput NewOrder = new() { OrderId = "ORD-1", Currency = Currency.HKD };
    private static readonly DateTime Deadline = Start + TimeSpan.FromMinutes(30);

    private static readonly OrderProgress Succeeded = new(OrderStatus.Succeeded, CollectionStatus.Success);
    private static readonly OrderProgress Processing = Awaiting(CollectionStatus.Processing);

    private static Task<CollectionResult> Run(ScriptedOrchestrationContext context, CollectionInput? input = null) =>
        new CollectionOrchestrator().RunAsync(context.Object, input ?? NewOrder);

    [Fact]
    public async Task Notify_first_cancels_the_timer_and_confirms_with_one_query()
    {
        var context = new ScriptedOrchestrationContext().Notify(TimeSpan.FromSeconds(5)).QueriesReturn(Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 1), result);
        Assert.Equal([CollectionTasks.ApplyActivity, CollectionTasks.QueryActivity], context.Activities);
        Assert.Equal([new QueryRequest("ORD-1", QueryReason.Notified)], context.Queries);
        var timer = Assert.Single(context.Timers);
        Assert.Equal(Start + TimeSpan.FromSeconds(15), timer.FireAt);
        Assert.True(timer.Token.IsCancellationRequested);
        Assert.True(timer.Task.IsCanceled);
        Assert.Equal(CollectionTasks.NotifyEvent, Assert.Single(context.EventWaits).Name);
    }

    [Fact]
    public async Task A_callback_the_webhook_has_confirmed_and_settled_ends_the_order_without_a_query_and_cancels_the_timer()
    {
        var context = new ScriptedOrchestrationContext().Notify(TimeSpan.FromSeconds(5), providerStatus: 2, settled: OrderStatus.Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 0), result);
        Assert.Equal([CollectionTasks.ApplyActivity], context.Activities);
        var timer = Assert.Single(context.Timers);
        Assert.True(timer.Task.IsCanceled);
        Assert.Equal(nameof(OrderStatus.Succeeded), context.CustomStatuses[^1].Phase);
    }

    [Fact]
    public async Task A_settled_signal_that_arrives_during_a_query_ends_the_order_without_another()
    {
        var context = new ScriptedOrchestrationContext { QueryTakes = TimeSpan.FromSeconds(10) }
            .Notify(TimeSpan.FromSeconds(5), providerStatus: 1)
            .Notify(TimeSpan.FromSeconds(8), providerStatus: 2, settled: OrderStatus.Succeeded)
            .QueriesReturn(Processing);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 1), result);
        Assert.Equal([new QueryRequest("ORD-1", QueryReason.Notified)], context.Queries);
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Pending)]
    public async Task A_signal_naming_a_status_that_is_not_final_is_only_a_reason_to_query(OrderStatus named)
    {
        var context = new ScriptedOrchestrationContext().Notify(TimeSpan.FromSeconds(5), settled: named).QueriesReturn(Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 1), result);
        Assert.Equal([CollectionTasks.ApplyActivity, CollectionTasks.QueryActivity], context.Activities);
    }

    [Fact]
    public async Task Without_callbacks_queries_follow_the_back_off_schedule_and_cancel_each_event_wait()
    {
        var context = new ScriptedOrchestrationContext()
            .QueriesReturn(Processing, Processing, Processing, Processing, Processing, Processing, Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 7), result);
        var waits = context.Timers.Zip(context.Timers.Skip(1), (a, b) => b.FireAt - a.FireAt).Prepend(context.Timers[0].FireAt - Start);
        Assert.Equal(
            new[] { 15, 30, 60, 120, 300, 300, 300 }.Select(s => TimeSpan.FromSeconds(s)),
            waits);
        Assert.All(context.Queries, q => Assert.Equal(QueryReason.Scheduled, q.Reason));
        Assert.All(context.EventWaits, wait => Assert.True(wait.Token.IsCancellationRequested));
        Assert.All(context.Timers, timer => Assert.True(timer.Task.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Pending_confirmation_keeps_waiting_until_success()
    {
        var context = new ScriptedOrchestrationContext()
            .QueriesReturn(Awaiting(CollectionStatus.PendingConfirmation), Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal(2, context.Timers.Count);
        var waitingAfterFirstQuery = context.CustomStatuses[1];
        Assert.Equal(("AwaitingPayment", -1, 1), (waitingAfterFirstQuery.Phase, waitingAfterFirstQuery.ProviderStatus, waitingAfterFirstQuery.Queries));
    }

    [Fact]
    public async Task At_the_deadline_one_final_check_then_the_order_expires()
    {
        var context = new ScriptedOrchestrationContext()
            .QueriesReturn(Enumerable.Repeat(Processing, 10).ToArray());

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Expired, 1, 10), result);
        Assert.Equal(Deadline, context.Timers[^1].FireAt);
        Assert.All(context.Timers, timer => Assert.True(timer.FireAt <= Deadline));
        Assert.Equal(QueryReason.FinalCheck, context.Queries[^1].Reason);
        Assert.All(context.Queries.SkipLast(1), q => Assert.Equal(QueryReason.Scheduled, q.Reason));
        Assert.Equal(CollectionTasks.ExpireActivity, context.Activities[^1]);
        Assert.Single(context.Activities, CollectionTasks.ExpireActivity);
        Assert.Equal("Expired", context.CustomStatuses[^1].Phase);
    }

    [Fact]
    public async Task A_success_found_by_the_final_check_wins_over_expiry()
    {
        var context = new ScriptedOrchestrationContext()
            .QueriesReturn([.. Enumerable.Repeat(Processing, 9), Succeeded]);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 10), result);
        Assert.Equal(QueryReason.FinalCheck, context.Queries[^1].Reason);
        Assert.DoesNotContain(CollectionTasks.ExpireActivity, context.Activities);
    }

    [Fact]
    public async Task A_callback_arriving_during_the_final_check_is_left_to_the_webhook_and_the_order_expires()
    {
        // The webhook settles a final callback itself (answering 503 until HaiPay's query confirms it), so the
        // orchestration does not hold the order open for it.
        var context = new ScriptedOrchestrationContext { QueryTakes = TimeSpan.FromSeconds(5) }
            .QueriesReturn([.. Enumerable.Repeat(Processing, 10)])
            .Notify(Deadline - ScriptedOrchestrationContext.Start + TimeSpan.FromSeconds(2));

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Expired, 1, 10), result);
        Assert.Equal(QueryReason.FinalCheck, context.Queries[^1].Reason);
        Assert.Equal(CollectionTasks.ExpireActivity, context.Activities[^1]);
    }

    [Fact]
    public async Task An_expired_order_without_a_pending_callback_ends_without_another_query()
    {
        var context = new ScriptedOrchestrationContext()
            .QueriesReturn(Enumerable.Repeat(Processing, 10).ToArray());

        await Run(context);

        Assert.Equal(10, context.Queries.Count);
        Assert.Equal(CollectionTasks.ExpireActivity, context.Activities[^1]);
    }

    [Fact]
    public async Task Expire_reports_what_the_store_decided()
    {
        var context = new ScriptedOrchestrationContext { ExpireResult = Succeeded }
            .QueriesReturn(Enumerable.Repeat(Processing, 10).ToArray());

        var result = await Run(context);

        Assert.Equal(OrderStatus.Succeeded, result.Status);
    }

    [Theory]
    [InlineData(CollectionStatus.PartialCollection)]
    [InlineData(CollectionStatus.OverCollection)]
    public async Task Partial_or_over_collection_ends_in_review(CollectionStatus status)
    {
        var context = new ScriptedOrchestrationContext()
            .Notify(TimeSpan.FromSeconds(40), (int)status)
            .QueriesReturn(Processing, new OrderProgress(OrderStatus.NeedsReview, status));

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.NeedsReview, (int)status, 2), result);
        Assert.Equal([QueryReason.Scheduled, QueryReason.Notified], context.Queries.Select(q => q.Reason));
        Assert.Equal("NeedsReview", context.CustomStatuses[^1].Phase);
    }

    [Fact]
    public async Task Apply_is_retried_durably_for_every_failure_but_a_rejection()
    {
        var context = new ScriptedOrchestrationContext().Notify(TimeSpan.FromSeconds(1)).QueriesReturn(Succeeded);

        await Run(context);

        var policy = Assert.Single(context.ApplyOptions)?.Retry?.Policy;
        Assert.NotNull(policy);
        Assert.Equal(8, policy.MaxNumberOfAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.FirstRetryInterval);
        Assert.Equal(2, policy.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.MaxRetryInterval);
        Assert.True(Retries(policy, new HaiPayTransientException(TransientReason.Timeout, "timed out")));
        Assert.True(Retries(policy, new HaiPayTransientException(TransientReason.ServerError, "HTTP 502")));
        Assert.True(Retries(policy, new Azure.RequestFailedException(503, "table storage unavailable")));
        Assert.False(Retries(policy, new HaiPayRejectedException("4002", "channel code does not exist")));
    }

    [Fact]
    public async Task Query_and_expiry_are_retried_for_our_own_failures_but_not_for_an_unreachable_haipay()
    {
        var context = new ScriptedOrchestrationContext().QueriesReturn(Enumerable.Repeat(Processing, 10).ToArray());

        await Run(context);

        Assert.Equal(11, context.StepOptions.Count);
        Assert.Contains(context.StepOptions, s => s.Activity == CollectionTasks.ExpireActivity);
        Assert.All(context.StepOptions, step =>
        {
            var policy = step.Options?.Retry?.Policy;
            Assert.NotNull(policy);
            Assert.Equal(5, policy.MaxNumberOfAttempts);
            Assert.True(Retries(policy, new Azure.RequestFailedException(503, "table storage unavailable")));
            Assert.False(Retries(policy, new HaiPayTransientException(TransientReason.ServerError, "HTTP 503")));
            Assert.False(Retries(policy, new HaiPayRejectedException("9007", "order not found")));
        });
    }

    [Fact]
    public async Task An_apply_still_failing_after_the_retries_expires_the_order_instead_of_leaving_it_pending()
    {
        var context = new ScriptedOrchestrationContext
        {
            ApplyFailure = new HaiPayTransientException(TransientReason.ConnectionError, "connection refused"),
        };

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Expired, 1, 0), result);
        Assert.Equal([CollectionTasks.ApplyActivity, CollectionTasks.ExpireActivity], context.Activities);
        Assert.Empty(context.Queries);
        Assert.Empty(context.Timers);
        Assert.Equal("Expired", context.CustomStatuses[^1].Phase);
    }

    [Fact]
    public async Task A_rejected_apply_ends_the_order_without_waiting_or_querying()
    {
        var context = new ScriptedOrchestrationContext { ApplyResult = new(OrderStatus.Rejected, null, null, "4002", "channel code does not exist") };

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Rejected, null, 0), result);
        Assert.Equal([CollectionTasks.ApplyActivity], context.Activities);
        Assert.Empty(context.Timers);
        Assert.Empty(context.EventWaits);
        Assert.Equal("Rejected", Assert.Single(context.CustomStatuses).Phase);
    }

    [Fact]
    public async Task A_refused_apply_settled_in_review_ends_the_order_without_waiting()
    {
        var context = new ScriptedOrchestrationContext { ApplyResult = new(OrderStatus.NeedsReview, null, null, "1001", "HaiPay refused the apply but holds an order") };

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.NeedsReview, null, 0), result);
        Assert.Equal([CollectionTasks.ApplyActivity], context.Activities);
        Assert.Empty(context.Timers);
    }

    [Fact]
    public async Task Callbacks_arriving_one_after_another_each_cause_a_query_and_the_order_ends_once()
    {
        var context = new ScriptedOrchestrationContext()
            .Notify(TimeSpan.FromSeconds(3))
            .Notify(TimeSpan.FromSeconds(4))
            .QueriesReturn(Processing, Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal([QueryReason.Notified, QueryReason.Notified], context.Queries.Select(q => q.Reason));
        Assert.Single(context.CustomStatuses, s => s.Phase == "Succeeded");
    }

    [Fact]
    public async Task Callbacks_arriving_during_a_query_are_answered_by_it_not_one_query_each()
    {
        var context = new ScriptedOrchestrationContext { QueryTakes = TimeSpan.FromSeconds(5) }
            .Notify(TimeSpan.FromSeconds(3))
            .Notify(TimeSpan.FromSeconds(4))
            .Notify(TimeSpan.FromSeconds(5))
            .Notify(TimeSpan.FromSeconds(6))
            .QueriesReturn(Processing, Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal([QueryReason.Notified, QueryReason.Notified], context.Queries.Select(q => q.Reason));
        Assert.Single(context.Timers);
    }

    [Fact]
    public async Task A_callback_after_the_order_is_final_is_never_waited_for()
    {
        var context = new ScriptedOrchestrationContext()
            .Notify(TimeSpan.FromSeconds(3))
            .Notify(TimeSpan.FromSeconds(4))
            .QueriesReturn(Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 1), result);
        Assert.Single(context.EventWaits);
    }

    [Fact]
    public async Task An_unverified_callback_only_triggers_a_query()
    {
        var context = new ScriptedOrchestrationContext()
            .Notify(TimeSpan.FromSeconds(3), providerStatus: 2, verified: false)
            .QueriesReturn(Processing, Succeeded);

        var result = await Run(context);

        Assert.Equal(OrderStatus.Succeeded, result.Status);
        Assert.Equal([QueryReason.Notified, QueryReason.Scheduled], context.Queries.Select(q => q.Reason));
    }

    [Fact]
    public async Task The_timer_is_cancelled_when_the_callback_wins_after_scheduled_queries()
    {
        var context = new ScriptedOrchestrationContext()
            .Notify(TimeSpan.FromSeconds(100))
            .QueriesReturn(Processing, Processing, Succeeded);

        await Run(context);

        Assert.Equal([QueryReason.Scheduled, QueryReason.Scheduled, QueryReason.Notified], context.Queries.Select(q => q.Reason));
        Assert.Equal([true, true, false], context.Timers.Select(t => t.Task.IsCompletedSuccessfully));
        Assert.True(context.Timers[^1].Token.IsCancellationRequested);
        Assert.True(context.Timers[^1].Task.IsCanceled);
    }

    [Fact]
    public async Task A_transient_query_failure_waits_for_the_next_query()
    {
        var context = new ScriptedOrchestrationContext()
            .QueryFails(new HaiPayTransientException(TransientReason.ServerError, "HTTP 503"))
            .QueriesReturn(Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal(Start + TimeSpan.FromSeconds(45), context.Timers[^1].FireAt);
    }

    [Fact]
    public async Task A_query_still_failing_after_its_retries_does_not_stop_the_order_being_watched()
    {
        var context = new ScriptedOrchestrationContext()
            .QueryFails(new Azure.RequestFailedException(503, "table storage unavailable"))
            .QueriesReturn(Succeeded);

        var result = await Run(context);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 2), result);
        Assert.Equal(2, context.Queries.Count);
    }

    [Fact]
    public async Task History_stays_bounded_by_continuing_as_new_with_the_loop_state()
    {
        var context = new ScriptedOrchestrationContext().QueriesReturn(Processing, Processing, Processing);

        await Run(context, NewOrder with { ContinueAsNewAfterQueries = 3 });

        var (input, preserve) = Assert.Single(context.ContinuedAsNew);
        Assert.True(preserve);
        Assert.Equal("ORD-1", input.OrderId);
        Assert.True(input.Applied);
        Assert.Equal(3, input.QueriesMade);
        Assert.Equal(Deadline, input.DeadlineUtc);
        Assert.Equal(("HP-0001", "https://pay.example/HP-0001"), (input.OrderNo, input.PayUrl));
        Assert.Equal(3, input.ContinueAsNewAfterQueries);
        Assert.Equal(3, context.Queries.Count);
    }

    [Fact]
    public async Task A_callback_that_arrived_during_the_last_query_of_a_generation_is_handled_before_continuing_as_new()
    {
        var context = new ScriptedOrchestrationContext { QueryTakes = TimeSpan.FromSeconds(1) }
            .Notify(TimeSpan.FromSeconds(15.5))
            .QueriesReturn(Processing, Processing);

        await Run(context, NewOrder with { ContinueAsNewAfterQueries = 1 });

        Assert.Equal([QueryReason.Scheduled, QueryReason.Notified], context.Queries.Select(q => q.Reason));
        var (input, _) = Assert.Single(context.ContinuedAsNew);
        Assert.Equal(2, input.QueriesMade);
        Assert.Single(context.Timers);
        Assert.All(context.EventWaits, wait => Assert.True(wait.Token.IsCancellationRequested));
    }

    [Fact]
    public async Task A_continued_generation_skips_apply_and_keeps_the_schedule_and_deadline()
    {
        var context = new ScriptedOrchestrationContext().QueriesReturn(Processing, Succeeded);
        var carried = NewOrder with
        {
            Applied = true,
            OrderNo = "HP-0001",
            PayUrl = "https://pay.example/HP-0001",
            QueriesMade = 3,
            DeadlineUtc = Start + TimeSpan.FromMinutes(4),
        };

        var result = await Run(context, carried);

        Assert.Equal(new CollectionResult(OrderStatus.Succeeded, 2, 5), result);
        Assert.DoesNotContain(CollectionTasks.ApplyActivity, context.Activities);
        Assert.Equal([Start + TimeSpan.FromMinutes(2), Start + TimeSpan.FromMinutes(4)], context.Timers.Select(t => t.FireAt));
        Assert.Equal([QueryReason.Scheduled, QueryReason.FinalCheck], context.Queries.Select(q => q.Reason));
        Assert.Empty(context.ContinuedAsNew);
    }

    [Fact]
    public async Task Custom_status_carries_the_pay_link_and_next_query_and_stays_small()
    {
        var context = new ScriptedOrchestrationContext().QueriesReturn(Processing, Succeeded);

        await Run(context);

        var first = context.CustomStatuses[0];
        Assert.Equal(new CollectionProgress("AwaitingPayment", null, "HP-0001", "https://pay.example/HP-0001", 0,
            Start + TimeSpan.FromSeconds(15)), first);
        Assert.Equal(new CollectionProgress("Succeeded", 2, "HP-0001", "https://pay.example/HP-0001", 2, null),
            context.CustomStatuses[^1]);
        Assert.All(context.CustomStatuses, status => Assert.True(JsonSerializer.SerializeToUtf8Bytes(status).Length < 1024));
    }

    [Fact]
    public async Task A_custom_schedule_from_the_input_drives_the_waits()
    {
        var context = new ScriptedOrchestrationContext().QueriesReturn(Processing, Processing, Processing);
        var input = NewOrder with
        {
            QueryBackoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)],
            Deadline = TimeSpan.FromSeconds(4),
        };

        var result = await Run(context, input);

        Assert.Equal(OrderStatus.Expired, result.Status);
        Assert.Equal(
            [Start.AddSeconds(1), Start.AddSeconds(3), Start.AddSeconds(4)],
            context.Timers.Select(t => t.FireAt));
    }

    /// <summary>Asks the policy what the engine asks it when the activity threw <paramref name="activityError"/>.</summary>
    private static bool Retries(RetryPolicy policy, Exception activityError) =>
        policy.Handle(new DurableTask.Core.Exceptions.TaskFailedException("activity failed")
        {
            FailureDetails = new DurableTask.Core.FailureDetails(activityError),
        });
}
