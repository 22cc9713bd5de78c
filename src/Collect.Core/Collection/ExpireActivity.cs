using Collect.Core.Events;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Collect.Core.Collection;

/// <summary>
/// <see cref="CollectionTasks.ExpireActivity"/>: the deadline passed with no final status (input: the orderId).
/// Pending or AwaitingPayment → Expired through <see cref="SettlementService.ExpireAsync"/>; a later success still
/// makes the order Succeeded.
/// </summary>
public sealed class ExpireActivity(SettlementService settlement, EventDispatch events, DurableTaskClient? durable = null)
    : TaskActivity<string, OrderProgress>
{
    public override Task<OrderProgress> RunAsync(TaskActivityContext context, string orderId) => ExpireAsync(orderId, durable);

    public async Task<OrderProgress> ExpireAsync(string orderId, DurableTaskClient? client = null, CancellationToken cancellationToken = default)
    {
        var order = await settlement.ExpireAsync(orderId, cancellationToken).ConfigureAwait(false);
        await events.StartWrittenAsync(client, order).ConfigureAwait(false);
        return new OrderProgress(order.Status, order.ProviderStatus);
    }
}
