using Collect.Core.Orchestration;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Activities;

/// <summary>
/// <see cref="CollectionTasks.QueryActivity"/>: asks HaiPay for the order's status, records the answer in the audit
/// trail and applies it through <see cref="OrderTransitions.Observe"/>. The notify webhook runs the same
/// <see cref="QueryAsync"/> to reconcile callbacks for orders whose orchestration has ended (Expired, final).
/// </summary>
/// <remarks>
/// The returned <see cref="OrderProgress.ProviderStatus"/> is what HaiPay answered to this query (null when HaiPay
/// refused the query), while <see cref="OrderProgress.Status"/> is the order's status as stored afterwards.
/// A transient failure propagates as <see cref="HaiPayTransientException"/>; a refused query (e.g. HaiPay does not
/// know the order) is audited and changes nothing.
/// </remarks>
public sealed partial class QueryActivity(
    OrderStore store,
    IHaiPayClient haiPay,
    TimeProvider time,
    ILogger<QueryActivity> logger) : TaskActivity<QueryRequest, OrderProgress>
{
    public override Task<OrderProgress> RunAsync(TaskActivityContext context, QueryRequest input) => QueryAsync(input);

    public async Task<OrderProgress> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginOrderScope(request.OrderId);
        var order = await store.GetRequiredAsync(request.OrderId, cancellationToken).ConfigureAwait(false);
        if (order.Status == OrderStatus.Rejected)
        {
            // HaiPay refused this order at apply: there is nothing to ask.
            return new OrderProgress(order.Status, null);
        }

        QueryResult result;
        try
        {
            result = await haiPay.QueryAsync(order.Currency, order.OrderId, order.OrderNo, cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayRejectedException refused)
        {
            await store.AppendAuditAsync(new AuditEntry
            {
                OrderId = order.OrderId,
                Kind = AuditKind.Query,
                Reason = request.Reason.ToString(),
                Detail = "query refused",
                ErrorCode = refused.Code,
                ErrorMessage = refused.ProviderMessage,
            }, cancellationToken).ConfigureAwait(false);
            LogRefused(order.OrderId, request.Reason, refused.Code);
            return new OrderProgress(order.Status, null);
        }

        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = order.OrderId,
            Kind = AuditKind.Query,
            Reason = request.Reason.ToString(),
            ProviderStatus = result.Status.ToWire(),
            OrderNo = result.OrderNo,
            ErrorMessage = result.ErrorMsg,
            Detail = $"amount={Money(result.Amount)} actualAmount={Money(result.ActualAmount)} fee={Money(result.Fee)} " +
                     $"payTime={result.PayTime:O} signatureVerified={result.SignatureVerified}",
        }, cancellationToken).ConfigureAwait(false);

        var observation = ProviderObservation.FromQuery(result);
        var updated = await store.UpdateAsync(order.OrderId,
            o => OrderTransitions.Observe(o, observation, time.GetUtcNow()),
            $"query ({request.Reason})", cancellationToken).ConfigureAwait(false) ?? order;
        LogQueried(order.OrderId, request.Reason, result.Status.ToWire(), updated.Status);
        return new OrderProgress(updated.Status, result.Status);
    }

    private static string Money(decimal? amount) => amount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {Reason} query answered {ProviderStatus}; order is {Status}")]
    private partial void LogQueried(string orderId, QueryReason reason, int providerStatus, OrderStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {Reason} query refused by HaiPay with code {ErrorCode}")]
    private partial void LogRefused(string orderId, QueryReason reason, string errorCode);
}
