using Collect.Core.Orchestration;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Activities;

/// <summary>
/// <see cref="CollectionTasks.ApplyActivity"/>: opens the collection at HaiPay for a stored Pending order (input: the
/// orderId). Accepted → AwaitingPayment with orderNo and payUrl; a business rejection → Rejected, returned as an
/// outcome (not an exception); a transient failure propagates as <see cref="HaiPayTransientException"/> for the
/// orchestrator's durable retry. An order already past Pending (a replayed or duplicate execution) returns its stored
/// outcome without calling HaiPay again.
/// </summary>
public sealed partial class ApplyActivity(
    OrderStore store,
    IHaiPayClient haiPay,
    IOptions<CollectOptions> options,
    TimeProvider time,
    ILogger<ApplyActivity> logger) : TaskActivity<string, ApplyOutcome>
{
    public override Task<ApplyOutcome> RunAsync(TaskActivityContext context, string orderId) => ApplyAsync(orderId);

    public async Task<ApplyOutcome> ApplyAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginOrderScope(orderId);
        var order = await store.GetRequiredAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (order.Status != OrderStatus.Pending)
        {
            LogAlreadyApplied(orderId, order.Status);
            return StoredOutcome(order);
        }

        var request = new ApplyRequest
        {
            OrderId = order.OrderId,
            Amount = HaiPayAmount.Format(order.Amount),
            PayType = order.PayType,
            InBankCode = order.InBankCode,
            Name = order.Name,
            Phone = order.Phone,
            Email = order.Email,
            PartnerUserId = order.PartnerUserId,
            CallBackUrl = order.CallBackUrl,
            CallBackFailUrl = order.CallBackFailUrl,
            NotifyUrl = options.Value.NotifyUrl,
            Subject = order.Subject,
            Body = order.Body,
        };
        LogApplying(orderId, order.Currency, request.Amount, Mask.Phone(order.Phone), Mask.Email(order.Email));

        ApplyResult accepted;
        try
        {
            accepted = await haiPay.ApplyAsync(order.Currency, request, cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayRejectedException rejected)
        {
            // An earlier attempt may have reached HaiPay and lost its answer (timeout, crash), so that this one is
            // refused as a duplicate: if HaiPay has this very order, it was accepted after all.
            if (await FindAtHaiPayAsync(order, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return await AdoptAsync(order, existing, cancellationToken).ConfigureAwait(false);
            }
            await store.AppendAuditAsync(new AuditEntry
            {
                OrderId = orderId,
                Kind = AuditKind.Apply,
                Detail = "rejected",
                ErrorCode = rejected.Code,
                ErrorMessage = rejected.ProviderMessage,
            }, cancellationToken).ConfigureAwait(false);
            var stored = await store.UpdateAsync(orderId,
                o => OrderTransitions.ApplyRejected(o, rejected.Code, rejected.ProviderMessage, time.GetUtcNow()),
                "apply rejected", cancellationToken).ConfigureAwait(false);
            LogRejected(orderId, rejected.Code);
            return StoredOutcome(stored ?? order);
        }
        catch (HaiPayTransientException transient)
        {
            await store.AppendAuditAsync(new AuditEntry
            {
                OrderId = orderId,
                Kind = AuditKind.Apply,
                Detail = $"transient failure ({transient.Reason}); retried by the orchestration",
            }, cancellationToken).ConfigureAwait(false);
            throw;
        }

        // The order row first: HaiPay's answer (payUrl) can never be fetched again, while a retry after a failed
        // audit write finds the order past Pending and returns it.
        var updated = await store.UpdateAsync(orderId,
            o => OrderTransitions.ApplyAccepted(o, accepted.OrderNo, accepted.PayUrl, time.GetUtcNow()),
            "apply accepted", cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = orderId,
            Kind = AuditKind.Apply,
            Detail = "accepted",
            OrderNo = accepted.OrderNo,
        }, cancellationToken).ConfigureAwait(false);
        LogAccepted(orderId, accepted.OrderNo);
        return StoredOutcome(updated ?? order);
    }

    /// <summary>
    /// HaiPay's own record of this order (same orderId, same amount), or null when HaiPay does not know it. A query
    /// that fails transiently propagates, so the orchestration retries rather than rejecting too early.
    /// </summary>
    private async Task<QueryResult?> FindAtHaiPayAsync(Order order, CancellationToken cancellationToken)
    {
        QueryResult found;
        try
        {
            found = await haiPay.QueryAsync(order.Currency, order.OrderId, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayRejectedException)
        {
            return null;
        }
        return found.Amount is null || found.Amount == order.Amount ? found : null;
    }

    /// <summary>HaiPay holds the order from an attempt whose answer was lost: AwaitingPayment (payUrl unknown) plus what the query said.</summary>
    private async Task<ApplyOutcome> AdoptAsync(Order order, QueryResult existing, CancellationToken cancellationToken)
    {
        var orderNo = existing.OrderNo ?? order.OrderNo ?? string.Empty;
        await store.AppendAuditAsync(new AuditEntry
        {
            OrderId = order.OrderId,
            Kind = AuditKind.Apply,
            Detail = "refused as a repeat, but HaiPay holds this order from an earlier attempt: accepted (payUrl unknown)",
            OrderNo = orderNo,
            ProviderStatus = existing.Status.ToWire(),
        }, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(order.OrderId,
            o => OrderTransitions.Observe(OrderTransitions.ApplyAccepted(o, orderNo, payUrl: null, now), ProviderObservation.FromQuery(existing), now),
            "apply answer lost; order found at HaiPay", cancellationToken).ConfigureAwait(false);
        LogAdopted(order.OrderId, orderNo);
        return StoredOutcome(updated ?? order);
    }

    /// <summary>The outcome an order past Pending stands for.</summary>
    private static ApplyOutcome StoredOutcome(Order order) => order.Status == OrderStatus.Rejected
        ? new ApplyOutcome(false, order.OrderNo, order.PayUrl, order.ErrorCode, order.ErrorMessage)
        : new ApplyOutcome(true, order.OrderNo, order.PayUrl, null, null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying order {OrderId}: {Currency} {Amount} for {Phone} {Email}")]
    private partial void LogApplying(string orderId, Currency currency, string amount, string phone, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} accepted by HaiPay as {OrderNo}")]
    private partial void LogAccepted(string orderId, string orderNo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} rejected by HaiPay with code {ErrorCode}")]
    private partial void LogRejected(string orderId, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: apply refused as a repeat, but HaiPay holds it as {OrderNo}; accepted without a payUrl")]
    private partial void LogAdopted(string orderId, string orderNo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} is already {Status}: apply not repeated")]
    private partial void LogAlreadyApplied(string orderId, OrderStatus status);
}
