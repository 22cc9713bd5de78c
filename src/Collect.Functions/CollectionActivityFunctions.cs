using Collect.Core.Collection;
using Collect.Core.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary>
/// The orchestrations' activities, delegating to the host-agnostic activity classes. The durable client binding lets an
/// activity start the delivery of the storefront event its write created.
/// </summary>
public sealed class CollectionActivityFunctions(ApplyActivity apply, QueryActivity query, ExpireActivity expire, EventDelivery delivery)
{
    [Function(CollectionTasks.ApplyActivity)]
    public Task<ApplyOutcome> ApplyAsync([ActivityTrigger] string orderId, [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        apply.ApplyAsync(orderId, durable, context.CancellationToken);

    [Function(CollectionTasks.QueryActivity)]
    public Task<OrderProgress> QueryAsync([ActivityTrigger] QueryRequest request, [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        query.QueryAsync(request, durable, context.CancellationToken);

    [Function(CollectionTasks.ExpireActivity)]
    public Task<OrderProgress> ExpireAsync([ActivityTrigger] string orderId, [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        expire.ExpireAsync(orderId, durable, context.CancellationToken);

    [Function(CollectionTasks.DeliverEventActivity)]
    public Task<DeliveryResult> DeliverAsync([ActivityTrigger] DeliveryRequest request, FunctionContext context) =>
        delivery.DeliverAsync(request, context.CancellationToken);
}
