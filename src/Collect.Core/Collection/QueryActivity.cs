using Collect.Core.Events;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Collect.Core.Collection;

/// <summary>
/// <see cref="CollectionTasks.QueryActivity"/>: asks HaiPay for the order's status through
/// <see cref="SettlementService.QueryAsync(string, QueryReason, bool, string?, CancellationToken)"/>. An order already settled (by the webhook's confirming query, say) is not
/// asked about again: the orchestration just ends.
/// </summary>
/// <remarks>
/// The returned <see cref="OrderProgress.ProviderStatus"/> is what HaiPay answered to this query (null when HaiPay was
/// not asked or refused), while <see cref="OrderProgress.Status"/> is the order's status as stored afterwards.
/// A transient failure propagates as <see cref="HaiPay.Client.HaiPayTransientException"/>.
/// </remarks>
public sealed class QueryActivity(SettlementService settlement, EventDispatch events, DurableTaskClient? durable = null)
    : TaskActivity<QueryRequest, OrderProgress>
{
    public override Task<OrderProgress> RunAsync(TaskActivityContext context, QueryRequest input) => QueryAsync(input, durable);

    public async Task<OrderProgress> QueryAsync(QueryRequest request, DurableTaskClient? client = null, CancellationToken cancellationToken = default)
    {
        var settled = await settlement.QueryAsync(request.OrderId, request.Reason, skipWhenFinal: true, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await events.StartWrittenAsync(client, settled.Order).ConfigureAwait(false);
        return new OrderProgress(settled.Order.Status, settled.Reported);
    }
}
