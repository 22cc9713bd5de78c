using Collect.Core.Orchestration;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Activities;

/// <summary>
/// <see cref="CollectionTasks.ExpireActivity"/>: the deadline passed with no final status (input: the orderId).
/// Pending or AwaitingPayment → Expired; any other status stays. A later success still makes the order Succeeded.
/// </summary>
public sealed partial class ExpireActivity(
    OrderStore store,
    TimeProvider time,
    ILogger<ExpireActivity> logger) : TaskActivity<string, OrderProgress>
{
    public override Task<OrderProgress> RunAsync(TaskActivityContext context, string orderId) => ExpireAsync(orderId);

    public async Task<OrderProgress> ExpireAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginOrderScope(orderId);
        var order = await store.GetRequiredAsync(orderId, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = orderId,
            Kind = AuditKind.Expire,
            FromStatus = order.Status,
            ProviderStatus = order.ProviderStatus?.ToWire(),
            Detail = "deadline passed without a final status",
        }, cancellationToken).ConfigureAwait(false);
        var updated = await store.UpdateAsync(orderId, o => OrderTransitions.Expire(o, time.GetUtcNow()), "deadline", cancellationToken)
            .ConfigureAwait(false) ?? order;
        LogExpired(orderId, updated.Status);
        return new OrderProgress(updated.Status, updated.ProviderStatus);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: deadline passed; order is {Status}")]
    private partial void LogExpired(string orderId, OrderStatus status);
}
