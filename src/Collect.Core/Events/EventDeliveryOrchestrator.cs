using Collect.Core.Collection;
using Microsoft.DurableTask;

namespace Collect.Core.Events;

/// <summary>Input of <see cref="EventDeliveryOrchestrator"/> (instance id: <see cref="OrderEvents.DeliveryInstanceId"/>).</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Sequence">The event's number within the order.</param>
/// <param name="RetryWaits">Waits before each retry (carried in the input, so a replay sees the schedule it started with).</param>
/// <param name="FirstAttempt">The first attempt's number (after an operator's redelivery, it goes on from the last one).</param>
/// <param name="Kind"><c>automatic</c> or <c>manual</c>.</param>
public sealed record EventDeliveryInput(string OrderId, int Sequence, IReadOnlyList<TimeSpan> RetryWaits, int FirstAttempt = 1, string Kind = "automatic");

/// <summary>
/// One storefront event's delivery, independent of the order's own orchestration (collection never waits on the
/// storefront): an attempt now, then one after each wait of the schedule, until the storefront answers 2xx, a later
/// event supersedes this one, or the schedule ends (the event is then listed as undelivered). Deterministic: every
/// time comes from <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>.
/// </summary>
public sealed class EventDeliveryOrchestrator : TaskOrchestrator<EventDeliveryInput, DeliveryResult>
{
    public override async Task<DeliveryResult> RunAsync(TaskOrchestrationContext context, EventDeliveryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        for (var retry = 0; ; retry++)
        {
            var isLast = retry >= input.RetryWaits.Count;
            var result = await context.CallActivityAsync<DeliveryResult>(CollectionTasks.DeliverEventActivity,
                new DeliveryRequest(input.OrderId, input.Sequence, input.FirstAttempt + retry, isLast, input.Kind),
                CollectionOrchestrator.StepRetry);
            if (result != DeliveryResult.Retry)
            {
                return result;
            }
            await context.CreateTimer(context.CurrentUtcDateTime + input.RetryWaits[retry], CancellationToken.None);
        }
    }
}

/// <summary><see cref="CollectionTasks.DeliverEventActivity"/>: one attempt, through <see cref="EventDelivery"/>.</summary>
public sealed class DeliverEventActivity(EventDelivery delivery) : TaskActivity<DeliveryRequest, DeliveryResult>
{
    public override Task<DeliveryResult> RunAsync(TaskActivityContext context, DeliveryRequest input) => delivery.DeliverAsync(input);
}
