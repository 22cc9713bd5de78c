using Collect.Core.Events;
using Microsoft.DurableTask;

namespace Collect.Core.Collection;

/// <summary>
/// Registers the collection orchestrator and its activities under the <see cref="CollectionTasks"/> names. Every host
/// that runs the Durable Task worker itself (local runner, tests) calls this; the Functions app binds the same names
/// with [Function] adapters. Activities are created per call from the worker's service provider.
/// </summary>
public static class CollectionRegistration
{
    public static DurableTaskRegistry AddCollectionTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<CollectionOrchestrator>(CollectionTasks.Orchestrator)
            .AddActivity<ApplyActivity>(CollectionTasks.ApplyActivity)
            .AddActivity<QueryActivity>(CollectionTasks.QueryActivity)
            .AddActivity<ExpireActivity>(CollectionTasks.ExpireActivity)
            .AddOrchestrator<EventDeliveryOrchestrator>(CollectionTasks.EventDeliveryOrchestrator)
            .AddActivity<DeliverEventActivity>(CollectionTasks.DeliverEventActivity);
    }
}
