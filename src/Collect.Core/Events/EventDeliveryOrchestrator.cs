using Collect.Core.Collection;
using Microsoft.DurableTask;

namespace Collect.Core.Events;

/// <summary>Input of <see cref="EventDeliveryOrchestrator"/> (instance id: <see cref="OrderEvents.DeliveryInstanceId"/>).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Sequence">The event's number within the order.</param>
/// <param name="RetryWaits">Waits before each retry (carried in the input, so a replay sees the schedule it started with).</param>
/// <param name="FirstAttempt">The first attempt's number (after an operator's redelivery, it goes on from the last one).</param>
/// <param name="Kind"><c>automatic</c> or <c>manual</c>.</param>
/// <param name="FirstAttemptMade">Attempt <paramref name="FirstAttempt"/> was made already (by the writer, see <see cref="EventDispatch"/>) and
/// failed: the delivery starts with the schedule's first wait.</param>
public sealed record EventDeliveryInput(
    string OrderId, int Sequence, IReadOnlyList<TimeSpan> RetryWaits, int FirstAttempt = 1, string Kind = "automatic", bool FirstAttemptMade = false);

/// <summary>
/// One storefront event's retries, independent of the order's own orchestration (collection never waits on the
/// storefront): an attempt now (unless the writer made it), then one after each wait of the schedule, until the
/// storefront answers 2xx, a later event supersedes this one, or the schedule ends (the event is then listed as
/// undelivered). Deterministic: every time comes from <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>.
/// </summary>
public sealed class EventDeliveryOrchestrator : TaskOrchestrator<EventDeliveryInput, DeliveryResult>
{
    public override async Task<DeliveryResult> RunAsync(TaskOrchestrationContext context, EventDeliveryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.FirstAttemptMade)
        {
            var first = await AttemptAsync(context, input, retry: 0);
            if (first != DeliveryResult.Retry)
            {
                return first;
            }
        }
        for (var retry = 1; ; retry++)
        {
            await context.CreateTimer(context.CurrentUtcDateTime + input.RetryWaits[retry - 1], CancellationToken.None);
            var result = await AttemptAsync(context, input, retry);
            if (result != DeliveryResult.Retry)
            {
                return result;
            }
        }
    }

    private static Task<DeliveryResult> AttemptAsync(TaskOrchestrationContext context, EventDeliveryInput input, int retry) =>
        context.CallActivityAsync<DeliveryResult>(CollectionTasks.DeliverEventActivity,
            new DeliveryRequest(input.OrderId, input.Sequence, input.FirstAttempt + retry, IsLast: retry >= input.RetryWaits.Count, input.Kind),
            CollectionOrchestrator.StepRetry);
}

/// <summary><see cref="CollectionTasks.DeliverEventActivity"/>: one attempt, through <see cref="EventDelivery"/>.</summary>
public sealed class DeliverEventActivity(EventDelivery delivery) : TaskActivity<DeliveryRequest, DeliveryResult>
{
    public override Task<DeliveryResult> RunAsync(TaskActivityContext context, DeliveryRequest input) => delivery.DeliverAsync(input);
}
