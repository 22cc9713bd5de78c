using System.Globalization;
using System.Text.Json;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Collection;

/// <summary>What a query through <see cref="SettlementService.QueryAsync(string, QueryReason, bool, string?, CancellationToken)"/> did.</summary>
/// <param name="Order">The order as stored afterwards.</param>
/// <param name="Reported">HaiPay's answer (null when HaiPay was not asked, refused the query or sent an unknown status).</param>
/// <param name="Answered">True when HaiPay answered the query with the order's status.</param>
public sealed record Settlement(Order Order, CollectionStatus? Reported, bool Answered)
{
    /// <summary>HaiPay answered with a final status (2, 3, 4 or 5), or one this product does not know (the order is then in review).</summary>
    public bool ReportedFinal => Answered && (Reported is null || Reported.Value.IsFinal());
}

/// <summary>
/// The one owner of order status changes: every step that moves an order (the apply step, HaiPay's query from the
/// orchestration, the webhook or the sweep, the deadline) goes through here, applies <see cref="OrderTransitions"/>
/// and writes the change with the audit entries that explain it in one transaction.
/// </summary>
public sealed partial class SettlementService(
    OrderStore store,
    IHaiPayClient haiPay,
    TimeProvider time,
    ILogger<SettlementService> logger)
{
    private static readonly JsonSerializerOptions RawJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An apply call is about to be sent: counted and audited before it leaves (<paramref name="stored"/>: the order as just read).</summary>
    public async Task<Order> ApplyStartedAsync(Order stored, CancellationToken cancellationToken = default)
    {
        var orderId = stored.OrderId;
        return await store.UpdateAsync(stored, o => OrderTransitions.ApplyStarted(o, time.GetUtcNow()), "apply sent",
            (_, next) => [new AuditEntry
            {
                OrderId = orderId,
                Kind = AuditKind.Apply,
                Detail = $"attempt {next.ApplyAttempts} sent",
            }], cancellationToken).ConfigureAwait(false) ?? throw Missing(orderId);
    }

    /// <summary>HaiPay accepted the apply (<paramref name="stored"/>: the order as the apply's start wrote it).</summary>
    public async Task<Order> ApplyAcceptedAsync(Order stored, ApplyResult accepted, CancellationToken cancellationToken = default)
    {
        var orderId = stored.OrderId;
        var order = await store.UpdateAsync(stored,
            o => OrderTransitions.ApplyAccepted(o, accepted.OrderNo, accepted.PayUrl, time.GetUtcNow()), "apply accepted",
            (_, _) => [new AuditEntry { OrderId = orderId, Kind = AuditKind.Apply, Detail = "accepted", OrderNo = accepted.OrderNo }],
            cancellationToken).ConfigureAwait(false) ?? throw Missing(orderId);
        LogAccepted(orderId, accepted.OrderNo);
        return order;
    }

    /// <summary>An apply attempt ended without HaiPay's answer: the order may or may not exist at HaiPay now.</summary>
    public Task ApplyFailedAsync(string orderId, int attempt, HaiPayTransientException failure, CancellationToken cancellationToken = default) =>
        store.AppendAuditAsync(new AuditEntry
        {
            OrderId = orderId,
            Kind = AuditKind.Apply,
            Detail = $"attempt {attempt} failed ({failure.Reason}): HaiPay may or may not hold the order; retried by the orchestration",
        }, cancellationToken);

    /// <summary>HaiPay refused the apply: recorded, then checked with <see cref="CheckRefusedApplyAsync"/>.</summary>
    public async Task<Order> ApplyRefusedAsync(string orderId, string errorCode, string? errorMessage, CancellationToken cancellationToken = default)
    {
        LogRefused(orderId, errorCode);
        return await store.UpdateAsync(orderId,
            o => OrderTransitions.ApplyRefused(o, errorCode, errorMessage, time.GetUtcNow()), "apply refused",
            (current, _) => [new AuditEntry
            {
                OrderId = orderId,
                Kind = AuditKind.Apply,
                Detail = $"attempt {current.ApplyAttempts} refused; asking HaiPay whether it holds an order under this id",
                ErrorCode = errorCode,
                ErrorMessage = errorMessage,
            }], cancellationToken).ConfigureAwait(false) ?? throw Missing(orderId);
    }

    /// <summary>
    /// Settles a refused apply with HaiPay's query (see <see cref="OrderTransitions.ApplyRefusalChecked"/>): Rejected,
    /// NeedsReview, or adopted. A query that fails transiently propagates; the refusal stays recorded for the retry.
    /// </summary>
    public async Task<Order> CheckRefusedApplyAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var order = await store.GetRequiredAsync(orderId, cancellationToken).ConfigureAwait(false);
        if (!order.HasUncheckedRefusal())
        {
            return order;
        }
        var answer = await AskAsync(order, QueryReason.ApplyRefused, actor: null, cancellationToken).ConfigureAwait(false);
        var held = answer is { Result: { } result } ? ProviderObservation.FromQuery(result) : null;
        return await store.UpdateAsync(order,
            o => OrderTransitions.ApplyRefusalChecked(o, held, time.GetUtcNow()),
            held is null ? "apply refused; HaiPay holds no order under this id" : "apply refused; HaiPay holds an order under this id",
            (_, _) => answer.Audit, cancellationToken).ConfigureAwait(false) ?? throw Missing(orderId);
    }

    /// <summary>
    /// Asks HaiPay for the order's status and applies the answer through <see cref="OrderTransitions.Observe"/>, the
    /// query and its consequence audited together. Not asked: a Rejected order, an order whose refused apply is still
    /// being checked, and (with <paramref name="skipWhenFinal"/>) an order already settled. HaiPay refusing the query
    /// changes nothing; a transient failure is audited and propagates.
    /// </summary>
    public async Task<Settlement> QueryAsync(
        string orderId, QueryReason reason, bool skipWhenFinal, string? actor = null, CancellationToken cancellationToken = default) =>
        await QueryAsync(await store.GetRequiredAsync(orderId, cancellationToken).ConfigureAwait(false), reason, skipWhenFinal, actor, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>As <see cref="QueryAsync(string, QueryReason, bool, string?, CancellationToken)"/>, from the order as the caller just read it (its update conditional on that read's ETag).</summary>
    public async Task<Settlement> QueryAsync(
        Order order, QueryReason reason, bool skipWhenFinal, string? actor = null, CancellationToken cancellationToken = default)
    {
        var orderId = order.OrderId;
        if (order.Status == OrderStatus.Rejected || order.HasUncheckedRefusal() || (skipWhenFinal && order.Status.IsFinal()))
        {
            return new Settlement(order, null, Answered: false);
        }
        var answer = await AskAsync(order, reason, actor, cancellationToken).ConfigureAwait(false);
        if (answer.Result is not { } result)
        {
            await store.AppendAuditAsync(answer.Audit, cancellationToken).ConfigureAwait(false);
            return new Settlement(order, null, Answered: false);
        }
        var observation = ProviderObservation.FromQuery(result);
        var updated = await store.UpdateAsync(order,
            o => OrderTransitions.Observe(o, observation, time.GetUtcNow()), $"query ({reason})",
            (_, _) => answer.Audit, cancellationToken).ConfigureAwait(false) ?? order;
        LogQueried(orderId, reason, result.StatusText, updated.Status);
        return new Settlement(updated, result.Status, Answered: true);
    }

    /// <summary>
    /// An operator resolves an order in review as Succeeded or Failed. Null when the order's status does not allow it
    /// (nothing is written); the audit entry records who, the outcome and the note.
    /// </summary>
    public Task<Order?> ResolveAsync(string orderId, OrderStatus outcome, string note, string actor, CancellationToken cancellationToken = default) =>
        OperatorChangeAsync(orderId, o => OrderTransitions.Resolve(o, outcome, note, time.GetUtcNow()), "resolve", $"resolved as {outcome}: {note}",
            actor, cancellationToken);

    /// <summary>An operator stops waiting for a Pending or AwaitingPayment order. Null when the status does not allow it.</summary>
    public Task<Order?> CancelAsync(string orderId, string note, string actor, CancellationToken cancellationToken = default) =>
        OperatorChangeAsync(orderId, o => OrderTransitions.Cancel(o, note, time.GetUtcNow()), "cancel", $"cancelled: {note}", actor, cancellationToken);

    /// <summary>Records an operator's action that changes no status (a re-query asked of the orchestration, a restart, a redelivery).</summary>
    public Task RecordOperatorAsync(string orderId, string action, string detail, string actor, CancellationToken cancellationToken = default) =>
        store.AppendAuditAsync(OperatorEntry(orderId, action, detail, actor), cancellationToken);

    private async Task<Order?> OperatorChangeAsync(
        string orderId, Func<Order, Order> transition, string action, string detail, string actor, CancellationToken cancellationToken)
    {
        var changed = false;
        var order = await store.UpdateAsync(orderId, current =>
        {
            var next = transition(current);
            changed = next.Status != current.Status;
            return next;
        }, $"operator: {action}", (_, next) => changed ? [OperatorEntry(orderId, action, detail, actor)] : [], cancellationToken)
            .ConfigureAwait(false);
        return changed ? order : null;
    }

    private static AuditEntry OperatorEntry(string orderId, string action, string detail, string actor) => new()
    {
        OrderId = orderId,
        Kind = AuditKind.Operator,
        Reason = action,
        Actor = actor,
        Detail = detail,
    };

    /// <summary>The deadline passed: a waiting order expires; the audit says what the deadline found.</summary>
    public async Task<Order> ExpireAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var order = await store.UpdateAsync(orderId, o => OrderTransitions.Expire(o, time.GetUtcNow()), "deadline",
            (current, next) => [new AuditEntry
            {
                OrderId = orderId,
                Kind = AuditKind.Expire,
                FromStatus = current.Status,
                ToStatus = next.Status,
                ProviderStatus = current.ProviderStatus?.ToWire(),
                Detail = next.Status != current.Status
                    ? $"the deadline passed with no final status from HaiPay (last reported: {Reported(current)}): {current.Status} → {next.Status}"
                    : current.HasUncheckedRefusal()
                        ? "the deadline passed while HaiPay's refusal of the apply is still being checked: the order stays Pending"
                        : $"the deadline passed; the order is already {current.Status}: nothing changed",
            }], cancellationToken).ConfigureAwait(false) ?? throw Missing(orderId);
        LogExpired(orderId, order.Status);
        return order;
    }

    /// <summary>HaiPay's answer to a query (null when it refused or failed) and the audit entry recording it.</summary>
    private sealed record Answer(QueryResult? Result, IReadOnlyCollection<AuditEntry> Audit);

    private async Task<Answer> AskAsync(Order order, QueryReason reason, string? actor, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginOrderScope(order.OrderId);
        using var span = CollectTelemetry.StartSpan(CollectTelemetry.Spans.Query, order.OrderId);
        span?.SetTag(CollectTelemetry.QueryReasonAttribute, reason.ToString());
        var entry = new AuditEntry { OrderId = order.OrderId, Kind = AuditKind.Query, Reason = reason.ToString(), Actor = actor };
        try
        {
            var result = await haiPay.QueryAsync(order.Currency, order.OrderId, order.OrderNo, cancellationToken).ConfigureAwait(false);
            return new Answer(result, [entry with
            {
                ProviderStatus = int.TryParse(result.StatusText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wire) ? wire : null,
                OrderNo = result.OrderNo,
                ErrorMessage = result.ErrorMsg,
                Detail = $"status={result.StatusText} amount={Raw(result, "amount")} actualAmount={Raw(result, "actualAmount")} " +
                         $"fee={Raw(result, "fee")} payTime={Raw(result, "payTime")} signatureVerified={result.SignatureVerified}",
                RawBody = JsonSerializer.Serialize(result.Fields, RawJson),
            }]);
        }
        catch (HaiPayRejectedException refused)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "HaiPay refused the query");
            LogQueryRefused(order.OrderId, reason, refused.Code);
            return new Answer(null, [entry with { Detail = "query refused", ErrorCode = refused.Code, ErrorMessage = refused.ProviderMessage }]);
        }
        catch (HaiPayTransientException failed)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failed.Reason.ToString());
            await store.AppendAuditAsync(entry with { Detail = $"query failed ({failed.Reason})" }, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private static string Raw(QueryResult result, string field) =>
        result.Fields.TryGetValue(field, out var text) && !string.IsNullOrEmpty(text) ? text : "-";

    private static string Reported(Order order) => order.ProviderStatus?.ToWire().ToString(CultureInfo.InvariantCulture) ?? "none";

    private static InvalidOperationException Missing(string orderId) => new($"Order {orderId} is not in the store.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} accepted by HaiPay as {OrderNo}")]
    private partial void LogAccepted(string orderId, string orderNo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: HaiPay refused the apply with code {ErrorCode}; checking what HaiPay holds")]
    private partial void LogRefused(string orderId, string errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {Reason} query answered {ProviderStatus}; order is {Status}")]
    private partial void LogQueried(string orderId, QueryReason reason, string providerStatus, OrderStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {Reason} query refused by HaiPay with code {ErrorCode}")]
    private partial void LogQueryRefused(string orderId, QueryReason reason, string errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: deadline passed; order is {Status}")]
    private partial void LogExpired(string orderId, OrderStatus status);
}
