using Collect.Core.Events;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Collection;

/// <summary>
/// <see cref="CollectionTasks.ApplyActivity"/>: opens the collection at HaiPay for a stored Pending order (input: the
/// orderId). Every attempt is counted before it is sent. Accepted → AwaitingPayment with orderNo and payUrl. Refused →
/// HaiPay is asked whether it holds an order under the id anyway, and the answer settles it (Rejected, NeedsReview, or
/// adopted when an earlier attempt of this order lost its answer; see <see cref="OrderTransitions.ApplyRefusalChecked"/>).
/// A transient failure propagates as <see cref="HaiPayTransientException"/> for the orchestrator's durable retry.
/// An order past Pending (a replayed or duplicate execution) returns its stored outcome without calling HaiPay.
/// The storefront event a status change writes is handed to <see cref="EventDispatch"/> (the Functions app passes its
/// durable client binding; the local runner's worker injects its client).
/// </summary>
public sealed partial class ApplyActivity(
    OrderStore store,
    SettlementService settlement,
    EventDispatch events,
    IHaiPayClient haiPay,
    IOptions<CollectOptions> options,
    ILogger<ApplyActivity> logger,
    DurableTaskClient? durable = null) : TaskActivity<string, ApplyOutcome>
{
    public override Task<ApplyOutcome> RunAsync(TaskActivityContext context, string orderId) => ApplyAsync(orderId, durable);

    public async Task<ApplyOutcome> ApplyAsync(string orderId, DurableTaskClient? client = null, CancellationToken cancellationToken = default)
    {
        using var span = CollectTelemetry.StartSpan(CollectTelemetry.Spans.Apply, orderId);
        var order = await ApplyOnceAsync(orderId, cancellationToken).ConfigureAwait(false);
        span?.SetTag(CollectTelemetry.StatusAttribute, order.Status.ToString());
        await events.StartWrittenAsync(client, order).ConfigureAwait(false);
        return Outcome(order);
    }

    private async Task<Order> ApplyOnceAsync(string orderId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginOrderScope(orderId);
        var order = await store.GetRequiredAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (order.HasUncheckedRefusal())
        {
            return await settlement.CheckRefusedApplyAsync(orderId, cancellationToken).ConfigureAwait(false);
        }
        if (order.Status != OrderStatus.Pending)
        {
            LogAlreadyApplied(orderId, order.Status);
            return order;
        }

        order = await settlement.ApplyStartedAsync(order, cancellationToken).ConfigureAwait(false);
        LogApplying(orderId, order.ApplyAttempts, order.Currency, HaiPayAmount.Format(order.Amount), Mask.Phone(order.Phone), Mask.Email(order.Email));
        ApplyResult accepted;
        try
        {
            accepted = await haiPay.ApplyAsync(order.Currency, Request(order), cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayRejectedException refused)
        {
            await settlement.ApplyRefusedAsync(orderId, refused.Code, refused.ProviderMessage, cancellationToken).ConfigureAwait(false);
            return await settlement.CheckRefusedApplyAsync(orderId, cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayTransientException failed)
        {
            await settlement.ApplyFailedAsync(orderId, order.ApplyAttempts, failed, cancellationToken).ConfigureAwait(false);
            throw;
        }
        return await settlement.ApplyAcceptedAsync(order, accepted, cancellationToken).ConfigureAwait(false);
    }

    private ApplyRequest Request(Order order) => new()
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

    private static ApplyOutcome Outcome(Order order) =>
        new(order.Status, order.OrderNo, order.PayUrl, order.ErrorCode, order.ErrorMessage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying order {OrderId} (attempt {Attempt}): {Currency} {Amount} for {Phone} {Email}")]
    private partial void LogApplying(string orderId, int attempt, Currency currency, string amount, string phone, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} is already {Status}: apply not repeated")]
    private partial void LogAlreadyApplied(string orderId, OrderStatus status);
}
