using Collect.Core.Orders;
using HaiPay;
using HaiPay.Client;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Collection;

/// <summary>
/// One order's collection (instance id = orderId): apply at HaiPay, then wait for the customer to pay — woken by
/// HaiPay's notify callback or by the next scheduled query, whichever comes first — until HaiPay reports a final
/// status or the deadline passes. The activities change the order through the settlement service; this class only
/// sequences them, deterministically (no I/O, no wall clock: every time comes from <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>).
/// </summary>
public sealed class CollectionOrchestrator : TaskOrchestrator<CollectionInput, CollectionResult>
{
    /// <summary>
    /// Apply is retried by the engine, durably, for every failure (HaiPay unreachable, a storage hiccup): 8 attempts,
    /// 2 s apart at first, doubling up to 1 min (about 3 minutes in all). A business rejection is not a failure: the activity returns it as an
    /// <see cref="ApplyOutcome"/>. A retry after HaiPay's answer was lost finds the order at HaiPay (see ApplyActivity).
    /// </summary>
    public static TaskOptions ApplyRetry { get; } = Retry(8, failure => !failure.IsCausedBy<HaiPayRejectedException>());

    /// <summary>
    /// Query and expiry are retried (5 attempts) for failures of our own (storage); HaiPay being unreachable is not
    /// retried at once: the next scheduled query is the retry.
    /// </summary>
    public static TaskOptions StepRetry { get; } = Retry(5, failure =>
        !failure.IsCausedBy<HaiPayTransientException>() && !failure.IsCausedBy<HaiPayRejectedException>());

    private static TaskOptions Retry(int attempts, Func<TaskFailureDetails, bool> handles) => TaskOptions.FromRetryPolicy(
        new RetryPolicy(
            maxNumberOfAttempts: attempts,
            firstRetryInterval: TimeSpan.FromSeconds(2),
            backoffCoefficient: 2,
            maxRetryInterval: TimeSpan.FromMinutes(1))
        {
            HandleFailure = handles,
        });

    public override async Task<CollectionResult> RunAsync(TaskOrchestrationContext context, CollectionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var logger = context.CreateReplaySafeLogger<CollectionOrchestrator>();
        var state = input with { DeadlineUtc = input.DeadlineUtc ?? context.CurrentUtcDateTime + input.Deadline };
        var schedule = new QuerySchedule(state.QueryBackoff, state.DeadlineUtc.Value);

        // 1. Ask HaiPay to open the collection (a later generation has done this already). Should it stay unreachable
        //    through every retry, the order expires rather than stay Pending for ever: one of the attempts may still
        //    have reached HaiPay, and a late success callback then settles it as Succeeded.
        if (!state.Applied)
        {
            ApplyOutcome applied;
            try
            {
                applied = await context.CallActivityAsync<ApplyOutcome>(CollectionTasks.ApplyActivity, state.OrderId, ApplyRetry);
            }
            catch (TaskFailedException e)
            {
                logger.LogWarning("Order {OrderId}: apply failed after every retry ({ErrorType}); the order expires.",
                    state.OrderId, e.FailureDetails.ErrorType);
                var gaveUp = await context.CallActivityAsync<OrderProgress>(CollectionTasks.ExpireActivity, state.OrderId, StepRetry);
                return Finish(context, state, gaveUp);
            }
            if (applied.IsFinal)
            {
                logger.LogWarning("Order {OrderId}: settled at the apply step as {Status} ({ErrorCode}).",
                    state.OrderId, applied.Status, applied.ErrorCode);
                return Finish(context, state, new OrderProgress(applied.Status, null));
            }
            state = state with { Applied = true, OrderNo = applied.OrderNo, PayUrl = applied.PayUrl };
            logger.LogInformation("Order {OrderId}: HaiPay accepted the apply as {OrderNo}.", state.OrderId, state.OrderNo);
        }

        // 2. Wait for the customer to pay: HaiPay's callback or the next query time, whichever comes first, then ask
        //    HaiPay for the status (a callback, verified or not, is only ever a reason to query). The one exception is a
        //    callback the webhook has already had confirmed by HaiPay's query and settled: the order is final.
        var progress = new OrderProgress(OrderStatus.AwaitingPayment, null);
        var queriesThisGeneration = 0;
        NotifySignal? arrivedDuringQuery = null;
        while (true)
        {
            var nextQueryAt = schedule.NextQueryAt(context.CurrentUtcDateTime, state.QueriesMade);
            context.SetCustomStatus(Progress(state, progress, nextQueryAt));

            NotifySignal? notified;
            if (arrivedDuringQuery is not null)
            {
                notified = arrivedDuringQuery;
            }
            else if (queriesThisGeneration < state.ContinueAsNewAfterQueries)
            {
                notified = await WaitForNotifyOrTimerAsync(context, nextQueryAt);
            }
            else
            {
                // 3. Keep the history bounded: restart with the loop's state. A callback that has already arrived
                //    is handled here first, because the engine does not reliably carry waiting events over.
                notified = TakeArrivedNotify(context);
                if (notified is null)
                {
                    logger.LogInformation("Order {OrderId}: continuing as new after {Queries} queries.", state.OrderId, state.QueriesMade);
                    context.ContinueAsNew(state, preserveUnprocessedEvents: true);
                    return new CollectionResult(progress.Status, (int?)progress.ProviderStatus, state.QueriesMade);
                }
            }

            if (notified?.Settled is { } settled && settled.IsFinal())
            {
                // The webhook had HaiPay's query confirm the callback and stored the final status: nothing left to ask.
                logger.LogInformation("Order {OrderId}: settled by the confirmed callback as {Status}.", state.OrderId, settled);
                return Finish(context, state, new OrderProgress(settled, (CollectionStatus?)notified.ProviderStatus));
            }

            var reason = notified is not null ? QueryReason.Notified
                : schedule.IsFinalCheck(nextQueryAt) ? QueryReason.FinalCheck
                : QueryReason.Scheduled;
            if (notified is not null)
            {
                logger.LogInformation("Order {OrderId}: notified (status {ProviderStatus}, verified {Verified}).",
                    state.OrderId, notified.ProviderStatus, notified.Verified);
            }

            progress = await QueryAsync(context, logger, new QueryRequest(state.OrderId, reason), progress);
            state = state with { QueriesMade = state.QueriesMade + 1 };
            queriesThisGeneration++;

            if (progress.IsFinal)
            {
                return Finish(context, state, progress);
            }
            if (reason == QueryReason.FinalCheck)
            {
                break;
            }
            // Callbacks that arrived while HaiPay was being asked may report what that answer could not know yet: one
            // more query answers all of them together, never one query each (the webhook already bounds how often a
            // callback can wake the orchestration at all).
            arrivedDuringQuery = DrainArrivedNotifies(context);
        }

        // 4. The deadline passed and the final check found no final status: the order expires. A callback arriving from
        //    now on is settled by the webhook itself (it queries HaiPay and answers 503 until HaiPay confirms), and the
        //    reconciliation sweep re-queries Expired orders for a week.
        var expired = await context.CallActivityAsync<OrderProgress>(CollectionTasks.ExpireActivity, state.OrderId, StepRetry);
        logger.LogInformation("Order {OrderId}: deadline passed, order is {Status}.", state.OrderId, expired.Status);
        return Finish(context, state, expired);
    }

    /// <summary>
    /// Waits for the notify event or the timer, whichever completes first, and cancels the other, so no timer
    /// outlives the wait and no abandoned event wait takes a later callback. Null when the timer fired.
    /// </summary>
    private static async Task<NotifySignal?> WaitForNotifyOrTimerAsync(TaskOrchestrationContext context, DateTime queryAt)
    {
        using var cancelLoser = new CancellationTokenSource();
        var notify = context.WaitForExternalEvent<NotifySignal>(CollectionTasks.NotifyEvent, cancelLoser.Token);
        var timer = context.CreateTimer(queryAt, cancelLoser.Token);
        var winner = await Task.WhenAny(notify, timer);
        cancelLoser.Cancel();
        return winner == notify ? await notify : null;
    }

    /// <summary>Takes every notify event that has already arrived; the last of them, or null when none had.</summary>
    private static NotifySignal? DrainArrivedNotifies(TaskOrchestrationContext context)
    {
        NotifySignal? last = null;
        while (TakeArrivedNotify(context) is { } arrived)
        {
            last = arrived;
        }
        return last;
    }

    /// <summary>A notify event that has already arrived, if any, taken without waiting (the wait is cancelled at once).</summary>
    private static NotifySignal? TakeArrivedNotify(TaskOrchestrationContext context)
    {
        using var cancel = new CancellationTokenSource();
        var notify = context.WaitForExternalEvent<NotifySignal>(CollectionTasks.NotifyEvent, cancel.Token);
        cancel.Cancel();
        return notify.IsCompletedSuccessfully ? notify.Result : null;
    }

    /// <summary>
    /// Queries HaiPay through the activity. A failed query is never the end of the order: HaiPay unreachable, or our
    /// own failure after its retries, leaves the status as it was and the next wait leads to the next query (and the
    /// deadline still comes).
    /// </summary>
    private static async Task<OrderProgress> QueryAsync(
        TaskOrchestrationContext context, ILogger logger, QueryRequest request, OrderProgress current)
    {
        try
        {
            return await context.CallActivityAsync<OrderProgress>(CollectionTasks.QueryActivity, request, StepRetry);
        }
        catch (TaskFailedException e)
        {
            logger.LogWarning("Order {OrderId}: {Reason} query failed ({ErrorType}): {Error}",
                request.OrderId, request.Reason, e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage);
            return current;
        }
    }

    private static CollectionResult Finish(TaskOrchestrationContext context, CollectionInput state, OrderProgress progress)
    {
        context.SetCustomStatus(Progress(state, progress, nextQueryAt: null));
        return new CollectionResult(progress.Status, (int?)progress.ProviderStatus, state.QueriesMade);
    }

    private static CollectionProgress Progress(CollectionInput state, OrderProgress progress, DateTime? nextQueryAt) =>
        new(progress.Status.ToString(), (int?)progress.ProviderStatus, state.OrderNo, state.PayUrl, state.QueriesMade, nextQueryAt);
}
