using System.Text;
using Collect.Core.Activities;
using Collect.Core.Orchestration;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Callbacks;
using HaiPay.Client;
using HaiPay.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Http;

/// <summary>
/// <c>POST /api/haipay/notify</c>: HaiPay's callback. Anonymous; trust comes from the signature, verified over every
/// received field. Every callback is written to the audit trail (raw body, content type, verification result, sender)
/// before anything else happens.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Malformed body → 400. Signature does not verify (after one key refresh) → 401, no state change; a running
/// orchestration is still nudged to query, HaiPay's query being the authoritative word.</item>
/// <item>Verified, unknown order → 404 (HaiPay retries). Verified, orchestration waiting → the <c>notify</c> event →
/// 200 <c>SUCCESS</c>; the orchestration confirms with a query.</item>
/// <item>Verified, orchestration over (Expired or final) → reconciled here with the same query code as
/// <see cref="QueryActivity"/>: a late success after Expired ends Succeeded, a contradicting final goes NeedsReview.
/// A final callback that HaiPay's query does not confirm yet → 503, so HaiPay delivers it again.</item>
/// <item>Duplicates → 200 <c>SUCCESS</c>.</item>
/// </list>
/// </remarks>
public sealed partial class NotifyHandler(
    OrderStore store,
    IHaiPayCredentialSource credentials,
    QueryActivity query,
    IOptions<HaiPayOptions> haiPayOptions,
    TimeProvider time,
    ILogger<NotifyHandler> logger)
{
    /// <summary>Audit partition of callbacks whose orderId cannot be a key (longer than any orderId, so never one).</summary>
    public const string UnaddressedCallbacksPartition = "(callbacks received without a usable orderId, kept for audit)";

    private readonly HaiPaySigner _signer = new(haiPayOptions.Value.Signature);

    public async Task<IResult> HandleAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        var raw = body is null ? $"(body larger than {RequestBody.MaxBytes} bytes, not kept)" : Encoding.UTF8.GetString(body);
        var received = new AuditEntry
        {
            OrderId = UnaddressedCallbacksPartition,
            Kind = AuditKind.CallbackReceived,
            RawBody = raw,
            ContentType = request.ContentType,
            Remote = RemoteAddress(request),
        };

        IReadOnlyDictionary<string, string?>? fields = null;
        CollectionNotification notification;
        try
        {
            if (body is null)
            {
                throw new CallbackFormatException($"The callback body is larger than {RequestBody.MaxBytes} bytes.");
            }
            fields = CallbackParser.Parse(raw, request.ContentType);
            notification = CollectionNotification.FromFields(fields, haiPayOptions.Value.ProviderUtcOffset);
        }
        catch (CallbackFormatException ex)
        {
            var orderId = fields is not null && fields.TryGetValue("orderId", out var id) && OrderIds.IsStorable(id) ? id! : UnaddressedCallbacksPartition;
            await store.AppendAuditAsync(received with
            {
                OrderId = orderId,
                Verification = CallbackVerification.Malformed,
                Detail = ex.Message,
            }, cancellationToken).ConfigureAwait(false);
            LogMalformed(ex.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: "The callback is malformed.", detail: ex.Message);
        }

        using var scope = logger.BeginOrderScope(notification.OrderId);
        var addressable = OrderIds.IsStorable(notification.OrderId);
        var (verification, currency) = await VerifyAsync(fields, notification, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(received with
        {
            OrderId = addressable ? notification.OrderId : UnaddressedCallbacksPartition,
            Verification = verification,
            ProviderStatus = notification.Status.ToWire(),
            OrderNo = notification.OrderNo,
            Detail = addressable ? null : $"orderId '{notification.OrderId}' cannot be an order of this product",
        }, cancellationToken).ConfigureAwait(false);
        LogReceived(notification.OrderId, notification.Status.ToWire(), verification);

        if (verification == CallbackVerification.Error)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The callback could not be verified now.", detail: "The signing keys could not be loaded; deliver it again later.");
        }
        if (currency is null || !CallbackVerification.IsVerified(verification))
        {
            if (addressable && await IsRunningAsync(durable, notification.OrderId).ConfigureAwait(false))
            {
                await durable.RaiseEventAsync(notification.OrderId, CollectionTasks.NotifyEvent,
                    new NotifySignal(notification.Status.ToWire(), Verified: false), CancellationToken.None).ConfigureAwait(false);
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                title: "The callback's signature does not verify.", detail: $"Verification result: {verification}.");
        }

        var order = addressable ? await store.GetAsync(notification.OrderId, cancellationToken).ConfigureAwait(false) : null;
        if (order is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                title: "No such order.", detail: $"There is no order {notification.OrderId}.");
        }
        if (currency != order.Currency)
        {
            order = await store.UpdateAsync(order.OrderId,
                o => OrderTransitions.CurrencyMismatch(o, currency.ToString(), time.GetUtcNow()),
                "callback currency mismatch", cancellationToken).ConfigureAwait(false) ?? order;
        }

        if (order.Status is OrderStatus.Pending or OrderStatus.AwaitingPayment &&
            await IsRunningAsync(durable, order.OrderId).ConfigureAwait(false))
        {
            await durable.RaiseEventAsync(order.OrderId, CollectionTasks.NotifyEvent,
                new NotifySignal(notification.Status.ToWire(), Verified: true), CancellationToken.None).ConfigureAwait(false);

            // The orchestration may have expired the order between the read above and the event, and then ends
            // without seeing it: read again and settle the callback here if the order is no longer waiting.
            var after = await store.GetAsync(order.OrderId, cancellationToken).ConfigureAwait(false);
            if (after is null || after.Status is OrderStatus.Pending or OrderStatus.AwaitingPayment)
            {
                return Acknowledged();
            }
            order = after;
        }
        return await ReconcileAsync(order, notification, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The orchestration is over (or gone): settle a final callback here, confirmed by HaiPay's query.</summary>
    private async Task<IResult> ReconcileAsync(Order order, CollectionNotification notification, CancellationToken cancellationToken)
    {
        if (!notification.Status.IsFinal() || AlreadySettled(order.Status, notification.Status))
        {
            return Acknowledged();
        }
        OrderProgress progress;
        try
        {
            progress = await query.QueryAsync(new QueryRequest(order.OrderId, QueryReason.Notified), cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayTransientException ex)
        {
            LogQueryFailed(order.OrderId, ex.Reason);
            return NotYetConfirmed(order.OrderId, $"HaiPay's query failed ({ex.Reason})");
        }
        if (progress.ProviderStatus is not { } confirmed || !confirmed.IsFinal())
        {
            return NotYetConfirmed(order.OrderId, $"HaiPay's query answered {progress.ProviderStatus?.ToWire().ToString() ?? "nothing"}");
        }
        LogReconciled(order.OrderId, order.Status, progress.Status);
        return Acknowledged();
    }

    /// <summary>A final callback the stored order already reflects (or can no longer change): a duplicate.</summary>
    private static bool AlreadySettled(OrderStatus status, CollectionStatus reported) => status switch
    {
        OrderStatus.Succeeded => reported == CollectionStatus.Success,
        OrderStatus.Failed => reported == CollectionStatus.Failed,
        OrderStatus.NeedsReview or OrderStatus.Rejected => true,
        _ => false,
    };

    /// <summary>
    /// Checks the signature with the keys of the callback's currency (its <c>currency</c> field, else the currency
    /// whose appId it names); on failure reloads the keys once (they may have been rolled) and checks again.
    /// </summary>
    private async Task<(string Verification, Currency? Currency)> VerifyAsync(
        IReadOnlyDictionary<string, string?> fields, CollectionNotification notification, CancellationToken cancellationToken)
    {
        try
        {
            Currency currency;
            if (notification.Currency is not null)
            {
                if (!CurrencyExtensions.TryParse(notification.Currency, out currency))
                {
                    return (CallbackVerification.UnknownCurrency, null);
                }
            }
            else if (CurrencyOfAppId(notification.AppId) is { } byAppId)
            {
                currency = byAppId;
            }
            else
            {
                return (CallbackVerification.UnknownAppId, null);
            }

            var keys = await credentials.GetAsync(currency, cancellationToken).ConfigureAwait(false);
            if (notification.AppId is { } appId && appId != keys.AppId)
            {
                return (CallbackVerification.AppIdMismatch, currency);
            }
            if (_signer.VerifySigned(fields, keys.SecretKey, keys.PlatformPublicKey))
            {
                return (CallbackVerification.Verified, currency);
            }
            keys = await credentials.RefreshAsync(currency, cancellationToken).ConfigureAwait(false);
            return _signer.VerifySigned(fields, keys.SecretKey, keys.PlatformPublicKey)
                ? (CallbackVerification.VerifiedAfterRefresh, currency)
                : (CallbackVerification.InvalidSignature, currency);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogVerificationError(ex, notification.OrderId);
            return (CallbackVerification.Error, null);
        }
    }

    /// <summary>The currency whose configured appId the callback names (appIds are configuration, not secrets).</summary>
    private Currency? CurrencyOfAppId(long? appId) =>
        appId is null
            ? null
            : Enum.GetValues<Currency>().Cast<Currency?>().FirstOrDefault(currency =>
                haiPayOptions.Value.Credentials.TryGetValue(currency!.Value.ToString(), out var settings) && settings.AppId == appId);

    private static async Task<bool> IsRunningAsync(DurableTaskClient durable, string orderId)
    {
        var instance = await durable.GetInstanceAsync(orderId, getInputsAndOutputs: false).ConfigureAwait(false);
        return instance?.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending
            or OrchestrationRuntimeStatus.Suspended;
    }

    private static IResult Acknowledged() => TypedResults.Text("SUCCESS", "text/plain", Encoding.UTF8);

    private IResult NotYetConfirmed(string orderId, string why)
    {
        LogNotConfirmed(orderId, why);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The callback is not confirmed yet.",
            detail: $"{why}; deliver the callback again later.");
    }

    private static string? RemoteAddress(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        return !string.IsNullOrWhiteSpace(forwarded)
            ? forwarded.Split(',')[0].Trim()
            : request.HttpContext.Connection.RemoteIpAddress?.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed HaiPay callback: {Problem}")]
    private partial void LogMalformed(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "HaiPay callback for order {OrderId}: status {ProviderStatus}, {Verification}")]
    private partial void LogReceived(string orderId, int providerStatus, string verification);

    [LoggerMessage(Level = LogLevel.Error, Message = "HaiPay callback for order {OrderId} could not be verified")]
    private partial void LogVerificationError(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: reconciling query failed ({Reason})")]
    private partial void LogQueryFailed(string orderId, TransientReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: final callback not confirmed: {Why}; answering 503")]
    private partial void LogNotConfirmed(string orderId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: callback reconciled outside the orchestration, {From} → {To}")]
    private partial void LogReconciled(string orderId, OrderStatus from, OrderStatus to);
}

/// <summary>The verification results a <see cref="AuditKind.CallbackReceived"/> entry records.</summary>
public static class CallbackVerification
{
    public const string Verified = "verified";
    public const string VerifiedAfterRefresh = "verified after key refresh";
    public const string InvalidSignature = "invalid signature";
    public const string UnknownCurrency = "unknown currency";
    public const string UnknownAppId = "no currency and no known appId";
    public const string AppIdMismatch = "appId does not match the currency";
    public const string Malformed = "malformed";
    public const string Error = "verification error";

    public static bool IsVerified(string verification) => verification is Verified or VerifiedAfterRefresh;
}
