using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Collect.Core.Collection;
using Collect.Core.Events;
using Collect.Core.Http;
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

namespace Collect.Core.Callbacks;

/// <summary>
/// <c>POST /api/haipay/notify</c>: HaiPay's callback. Anonymous; trust comes from the signature, verified over every
/// received field. A callback never decides a status: it is a reason to ask HaiPay, and only HaiPay's query (through
/// <see cref="SettlementService"/>) settles the order.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Unreadable body, no orderId or status, or an orderId that cannot be one of ours → 400 (kept in a shared,
/// rate-bounded audit partition). A callback whose signature does not verify → 401, no state change, but it may nudge a
/// waiting order's orchestration to query (at most once per <see cref="CollectOptions.NotifyWindow"/>).</item>
/// <item>Verified, unknown order → 404 (HaiPay retries). Keys unavailable → 503.</item>
/// <item>Verified and final (2, 3, 4, 5): the webhook asks HaiPay itself and answers <c>SUCCESS</c> only once HaiPay's
/// query reports a final status too; until then (the query lags or fails) it answers 503, so HaiPay delivers the
/// callback again instead of forgetting it. A waiting orchestration is then told, and ends without a query of its own.</item>
/// <item>Verified and not final → <c>SUCCESS</c> and a nudge. A signed callback already acknowledged, delivered again
/// (same <c>sign</c> for the same order) → <c>SUCCESS</c>, nothing else.</item>
/// </list>
/// Every callback for a known order is audited in its partition within the <see cref="CallbackBounds"/>.
/// </remarks>
public sealed partial class NotifyHandler(
    OrderStore store,
    SettlementService settlement,
    EventDispatch events,
    CallbackBounds bounds,
    UnaddressedCallbacks unaddressed,
    IHaiPayCredentialSource credentials,
    IOptions<HaiPayOptions> haiPayOptions,
    IOptions<CollectOptions> collectOptions,
    TimeProvider time,
    CollectMetrics metrics,
    ILogger<NotifyHandler> logger)
{
    private const int MaxLedgerAttempts = 5;

    private readonly HaiPaySigner _signer = new(haiPayOptions.Value.Signature);
    private readonly OrderGate _confirming = new();

    public async Task<IResult> HandleAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        using var span = CollectTelemetry.StartSpan(CollectTelemetry.Spans.Callback, orderId: null);
        var body = await RequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        var received = new AuditEntry
        {
            OrderId = UnaddressedCallbacks.Partition,
            Kind = AuditKind.CallbackReceived,
            RawBody = body is null ? $"(body larger than {RequestBody.MaxBytes} bytes, not kept)" : Encoding.UTF8.GetString(body),
            ContentType = request.ContentType,
            Remote = RemoteAddress.Of(request, collectOptions.Value.TrustForwardedFor),
        };
        if (body is null)
        {
            Verified(span, TelemetryValues.Malformed);
            await KeepUnaddressedAsync(received with { Verification = CallbackVerification.Malformed, Detail = "body too large" }).ConfigureAwait(false);
            return Problems.TooLarge(RequestBody.MaxBytes);
        }

        IReadOnlyDictionary<string, string?> fields;
        CollectionNotification notification;
        try
        {
            fields = CallbackParser.Parse(received.RawBody!, request.ContentType);
            notification = CollectionNotification.FromFields(fields, haiPayOptions.Value.ProviderUtcOffset);
        }
        catch (CallbackFormatException ex)
        {
            Verified(span, TelemetryValues.Malformed);
            await KeepUnaddressedAsync(received with { Verification = CallbackVerification.Malformed, Detail = ex.Message }).ConfigureAwait(false);
            LogMalformed(ex.Message);
            return Problems.BadRequest("The callback is malformed.", ex.Message);
        }
        if (!OrderIds.IsValid(notification.OrderId))
        {
            Verified(span, TelemetryValues.Malformed);
            await KeepUnaddressedAsync(received with
            {
                Verification = CallbackVerification.Malformed,
                Detail = $"orderId is not {OrderIds.Rule}",
            }).ConfigureAwait(false);
            return Problems.BadRequest("The callback names no order of this product.", $"orderId must be {OrderIds.Rule}.");
        }

        var orderId = notification.OrderId;
        using var scope = logger.BeginOrderScope(orderId);
        span?.SetTag(CollectTelemetry.OrderIdAttribute, orderId);
        var (verification, currency) = await VerifyAsync(fields, notification, cancellationToken).ConfigureAwait(false);
        var verified = CallbackVerification.IsVerified(verification);
        received = received with
        {
            Verification = verification,
            ProviderStatus = Wire(notification.StatusText),
            OrderNo = notification.OrderNo,
            Detail = $"status {notification.StatusText}{(notification.Status is null ? " (unknown)" : "")}",
        };
        LogReceived(orderId, notification.StatusText, verification);

        var order = await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false);
        Verified(span, Result(verification, orderKnown: order is not null));
        if (order is null)
        {
            await KeepUnaddressedAsync(received with { Detail = $"no order {orderId}; {received.Detail}" }).ConfigureAwait(false);
            return verification == CallbackVerification.Error ? KeysUnavailable()
                : verified ? Problems.NotFound(orderId)
                : NotVerified(verification);
        }
        CollectTelemetry.LinkToOrderTrace(span, order);

        if (notification.Currency is { } named && !named.Equals(order.Currency.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            // Recorded, never acted on: only HaiPay's query on the order's own currency decides.
            received = received with { Detail = $"{received.Detail}; names currency {named} for a {order.Currency} order" };
        }
        var reportsFinal = notification.Status is { } reported && reported.IsFinal();
        var digest = verified && fields.TryGetValue(CanonicalString.SignField, out var sign) ? Digest(sign) : null;
        var (decision, ledger) = await RecordAsync(order, received, verified, digest, wantsNudge: !(verified && reportsFinal), cancellationToken)
            .ConfigureAwait(false);
        if (decision.Nudge)
        {
            await NudgeAsync(durable, orderId, new NotifySignal(Wire(notification.StatusText), verified)).ConfigureAwait(false);
        }
        if (verification == CallbackVerification.Error)
        {
            return KeysUnavailable();
        }
        if (!verified)
        {
            return NotVerified(verification);
        }
        if (decision.Replay)
        {
            LogReplay(orderId);
            return Acknowledged();
        }
        if (!reportsFinal || AlreadySettled(order.Status, notification.Status!.Value))
        {
            await AcknowledgeAsync(orderId, digest, ledger, cancellationToken).ConfigureAwait(false);
            return Acknowledged();
        }

        using var turn = await _confirming.EnterAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (turn.Waited)
        {
            // A copy of this callback may have been confirmed while this one waited its turn.
            order = await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false) ?? order;
            ledger = null;
            if (AlreadySettled(order.Status, notification.Status!.Value))
            {
                await AcknowledgeAsync(orderId, digest, ledger, cancellationToken).ConfigureAwait(false);
                return Acknowledged();
            }
        }
        Settlement settled;
        try
        {
            // From the row as read (no second read); the update stays conditional on its ETag and re-decides on a
            // fresh read should anyone else (another instance, the orchestration's own query) have changed it since.
            settled = await settlement.QueryAsync(order, QueryReason.Notified, skipWhenFinal: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HaiPayTransientException ex)
        {
            return NotYetConfirmed(orderId, $"HaiPay's query failed ({ex.Reason})");
        }
        if (!settled.ReportedFinal)
        {
            return NotYetConfirmed(orderId, settled.Answered
                ? $"HaiPay's query still answers {settled.Reported?.ToWire().ToString(CultureInfo.InvariantCulture)}"
                : "HaiPay's query did not answer with the order's status");
        }
        await events.StartWrittenAsync(durable, settled.Order).ConfigureAwait(false);
        await AcknowledgeAsync(orderId, digest, ledger, cancellationToken).ConfigureAwait(false);
        if (order.Status.IsWaiting())
        {
            // The orchestration ends on the confirmed status, without an activity of its own. Should this signal be
            // lost, its next scheduled query finds the order settled and does not ask HaiPay again.
            await NudgeAsync(durable, orderId, new NotifySignal(
                settled.Reported is { } confirmed ? (int)confirmed : Wire(notification.StatusText), Verified: true, settled.Order.Status))
                .ConfigureAwait(false);
        }
        LogSettled(orderId, order.Status, settled.Order.Status);
        return Acknowledged();
    }

    /// <summary>
    /// Stores the callback (within the bounds) and the ledger in one transaction; re-decides on a conflict. Returns the
    /// decision and the ledger as saved (null when it could not be).
    /// </summary>
    private async Task<(CallbackDecision Decision, CallbackLedger? Saved)> RecordAsync(
        Order order, AuditEntry received, bool verified, string? digest, bool wantsNudge, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxLedgerAttempts; attempt++)
        {
            var ledger = await store.GetCallbackLedgerAsync(order.OrderId, cancellationToken).ConfigureAwait(false);
            var decision = bounds.Decide(ledger, verified, digest, order.Status.IsWaiting(), wantsNudge, time.GetUtcNow());
            var entries = new List<AuditEntry>(2);
            if (decision.Summary is { } summary)
            {
                entries.Add(summary);
            }
            if (decision.Store)
            {
                entries.Add(received with
                {
                    OrderId = order.OrderId,
                    RawBodyLimit = verified ? StorageText.MaxRawBody : StorageText.MaxUnverifiedRawBody,
                    Detail = decision.Replay ? $"replay of a callback already acknowledged; {received.Detail}" : received.Detail,
                });
            }
            if (await store.TrySaveCallbackLedgerAsync(decision.Next, entries, cancellationToken).ConfigureAwait(false) is { } saved)
            {
                if (!decision.Store)
                {
                    metrics.CallbackSuppressed(TelemetryValues.NotStored);
                }
                if (!verified && wantsNudge && order.Status.IsWaiting() && !decision.Nudge)
                {
                    metrics.CallbackSuppressed(TelemetryValues.NudgeWindow);
                }
                return (decision, saved);
            }
        }
        // Contended by a flood: counted nowhere in the ledger, stored nowhere, and no nudge; the answer is the same.
        metrics.CallbackSuppressed(TelemetryValues.LedgerContended);
        LogLedgerContended(order.OrderId);
        return (new CallbackDecision(new CallbackLedger { OrderId = order.OrderId }, Store: false, Nudge: false, Replay: false, Summary: null), null);
    }

    /// <summary>
    /// Remembers a signed callback answered SUCCESS, so a replay of it changes nothing. Starts from
    /// <paramref name="known"/> (the ledger as this request saved it) when there is one; a conflict means a fresh read.
    /// </summary>
    private async Task AcknowledgeAsync(string orderId, string? digest, CallbackLedger? known, CancellationToken cancellationToken)
    {
        if (digest is null)
        {
            return;
        }
        for (var attempt = 1; attempt <= MaxLedgerAttempts; attempt++)
        {
            var ledger = attempt == 1 && known is not null
                ? known
                : await store.GetCallbackLedgerAsync(orderId, cancellationToken).ConfigureAwait(false);
            if (ledger.HasAcknowledged(digest) ||
                await store.TrySaveCallbackLedgerAsync(ledger.Acknowledge(digest), [], cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
    }

    private async Task KeepUnaddressedAsync(AuditEntry received)
    {
        var entries = unaddressed.Admit(received);
        if (entries.Count > 0)
        {
            await store.AppendAuditAsync(entries, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Raises the notify event; a nudge is never depended on, so a failure to raise it is only logged.</summary>
    private async Task NudgeAsync(DurableTaskClient durable, string orderId, NotifySignal signal)
    {
        try
        {
            await durable.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, signal, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNudgeFailed(ex, orderId);
        }
    }

    /// <summary>Counts the callback's verification result and puts it on the span.</summary>
    private void Verified(System.Diagnostics.Activity? span, string result)
    {
        metrics.CallbackVerified(result);
        span?.SetTag(CollectTelemetry.VerificationAttribute, result);
    }

    /// <summary>The metric's result for a verification: verified, unknown_order (verified, no such order), error (keys unavailable), else rejected.</summary>
    private static string Result(string verification, bool orderKnown) =>
        verification == CallbackVerification.Error ? TelemetryValues.VerificationError
        : !CallbackVerification.IsVerified(verification) ? TelemetryValues.Rejected
        : orderKnown ? TelemetryValues.Verified
        : TelemetryValues.UnknownOrder;

    /// <summary>A final callback the stored order already reflects (or can no longer change): a duplicate.</summary>
    private static bool AlreadySettled(OrderStatus status, CollectionStatus reported) => status switch
    {
        OrderStatus.Succeeded => reported == CollectionStatus.Success,
        OrderStatus.Failed => reported == CollectionStatus.Failed,
        OrderStatus.Cancelled => reported == CollectionStatus.Failed,
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

    /// <summary>HaiPay's status as the integer it is on the wire, when it is one.</summary>
    private static int? Wire(string statusText) =>
        int.TryParse(statusText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wire) ? wire : null;

    /// <summary>A short, keyless fingerprint of a callback's signature (recognises a replay without storing the signature).</summary>
    private static string? Digest(string? sign) =>
        string.IsNullOrEmpty(sign) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sign)))[..24];

    private static IResult Acknowledged() => TypedResults.Text("SUCCESS", "text/plain", Encoding.UTF8);

    private static IResult NotVerified(string verification) => Problems.Status(StatusCodes.Status401Unauthorized,
        "The callback's signature does not verify.", $"Verification result: {verification}.");

    private static IResult KeysUnavailable() => Problems.Status(StatusCodes.Status503ServiceUnavailable,
        "The callback could not be verified now.", "The signing keys could not be loaded; deliver it again later.");

    private IResult NotYetConfirmed(string orderId, string why)
    {
        LogNotConfirmed(orderId, why);
        return Problems.Status(StatusCodes.Status503ServiceUnavailable, "The callback is not confirmed yet.",
            $"{why}; deliver the callback again later.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed HaiPay callback: {Problem}")]
    private partial void LogMalformed(string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "HaiPay callback for order {OrderId}: status {ProviderStatus}, {Verification}")]
    private partial void LogReceived(string orderId, string providerStatus, string verification);

    [LoggerMessage(Level = LogLevel.Error, Message = "HaiPay callback for order {OrderId} could not be verified")]
    private partial void LogVerificationError(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: final callback not confirmed: {Why}; answering 503")]
    private partial void LogNotConfirmed(string orderId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: callback confirmed by HaiPay's query, {From} → {To}")]
    private partial void LogSettled(string orderId, OrderStatus from, OrderStatus to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: replay of an acknowledged callback; nothing changes")]
    private partial void LogReplay(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: callback ledger contended; this callback is neither stored nor counted")]
    private partial void LogLedgerContended(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the notify event could not be raised")]
    private partial void LogNudgeFailed(Exception exception, string orderId);
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
