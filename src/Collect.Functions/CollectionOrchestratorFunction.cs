using Collect.Core.Collection;
using Collect.Core.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Collect.Functions;

/// <summary>The orchestrations, run by the Durable Functions engine.</summary>
public static class CollectionOrchestratorFunction
{
    /// <summary>One order's collection (instance id = orderId).</summary>
    [Function(CollectionTasks.Orchestrator)]
    public static Task<CollectionResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new CollectionOrchestrator().RunAsync(context, context.GetInput<CollectionInput>()!);

    /// <summary>One storefront event's delivery.</summary>
    [Function(CollectionTasks.EventDeliveryOrchestrator)]
    public static Task<DeliveryResult> DeliverAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new EventDeliveryOrchestrator().RunAsync(context, context.GetInput<EventDeliveryInput>()!);
}
