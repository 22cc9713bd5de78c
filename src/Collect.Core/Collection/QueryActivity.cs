using Microsoft.DurableTask;

namespace Collect.Core.Collection;

/// <summary>
/// <see cref="CollectionTasks.QueryActivity"/>: asks HaiPay for the order's status through
/// <see cref="SettlementService.QueryAsync"/>. An order already settled (by the webhook's confirming query, say) is not
/// asked about again: the orchestration just ends.
/// </summary>
/// <remarks>
/// The returned <see cref="OrderProgress.ProviderStatus"/> is what HaiPay answered to this query (null when HaiPay was
/// not asked or refused), while <see cref="OrderProgress.Status"/> is the order's status as stored afterwards.
/// A transient failure propagates as <see cref="HaiPay.Client.HaiPayTransientException"/>.
/// </remarks>
public sealed class QueryActivity(SettlementService settlement) : TaskActivity<QueryRequest, OrderProgress>
{
    public override Task<OrderProgress> RunAsync(TaskActivityContext context, QueryRequest input) => QueryAsync(input);

    public async Task<OrderProgress> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        var settled = await settlement.QueryAsync(request.OrderId, request.Reason, skipWhenFinal: true, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return new OrderProgress(settled.Order.Status, settled.Reported);
    }
}
