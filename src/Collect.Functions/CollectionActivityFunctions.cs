using Collect.Core.Collection;
using Microsoft.Azure.Functions.Worker;

namespace Collect.Functions;

/// <summary>The orchestration's activities, delegating to the host-agnostic activity classes.</summary>
public sealed class CollectionActivityFunctions(ApplyActivity apply, QueryActivity query, ExpireActivity expire)
{
    [Function(CollectionTasks.ApplyActivity)]
    public Task<ApplyOutcome> ApplyAsync([ActivityTrigger] string orderId, FunctionContext context) =>
        apply.ApplyAsync(orderId, context.CancellationToken);

    [Function(CollectionTasks.QueryActivity)]
    public Task<OrderProgress> QueryAsync([ActivityTrigger] QueryRequest request, FunctionContext context) =>
        query.QueryAsync(request, context.CancellationToken);

    [Function(CollectionTasks.ExpireActivity)]
    public Task<OrderProgress> ExpireAsync([ActivityTrigger] string orderId, FunctionContext context) =>
        expire.ExpireAsync(orderId, context.CancellationToken);
}
