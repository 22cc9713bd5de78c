using System.Diagnostics;
using System.Diagnostics.Metrics;
using Collect.Core.Orders;
using HaiPay;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Telemetry;

/// <summary>
/// The product's telemetry names: its meter and ActivitySource (both <c>Collect.Core</c>), the one list of sources and
/// meters both hosts export, the span names and attributes, and the log scope every order-related operation runs in.
/// The instruments themselves are <see cref="CollectMetrics"/>.
/// </summary>
public static class CollectTelemetry
{
    /// <summary>Name of the product's meter.</summary>
    public const string MeterName = "Collect.Core";

    /// <summary>Name of the product's ActivitySource (spans for create, apply, callback, query, event delivery).</summary>
    public const string SourceName = "Collect.Core";

    /// <summary>
    /// The Durable Task SDK's ActivitySource (Microsoft.DurableTask.Client.Grpc / Worker.Grpc 1.28, <c>TraceHelper</c>):
    /// <c>create_orchestration</c>, <c>orchestration</c>, <c>activity</c> and timer spans. Its client span is what carries
    /// the current trace context into a scheduled orchestration, so a host must listen to it for traces to join up.
    /// </summary>
    public const string DurableTaskSourceName = "Microsoft.DurableTask";

    /// <summary>Every ActivitySource a host exports — the one list both hosts use.</summary>
    public static readonly IReadOnlyList<string> SourceNames = [SourceName, DurableTaskSourceName];

    /// <summary>Every Meter a host exports — the one list both hosts use.</summary>
    public static readonly IReadOnlyList<string> MeterNames = [MeterName];

    /// <summary>Span attribute carrying the merchant's order id (spans only; never a metric tag: cardinality).</summary>
    public const string OrderIdAttribute = "collect.order_id";

    /// <summary>Span attribute: the order's status after the step (bounded).</summary>
    public const string StatusAttribute = "collect.status";

    /// <summary>Span attribute: why HaiPay was queried (the orchestration's loop, a callback, the sweep, a refused apply).</summary>
    public const string QueryReasonAttribute = "collect.query.reason";

    /// <summary>Span attribute: a callback's verification result (<see cref="TelemetryValues"/>).</summary>
    public const string VerificationAttribute = "collect.callback.verification";

    /// <summary>Span attributes of an event delivery: the event's sequence within the order, the attempt number.</summary>
    public const string EventSequenceAttribute = "collect.event.sequence";
    public const string AttemptAttribute = "collect.attempt";

    /// <summary>The product's spans. Attributes: <see cref="OrderIdAttribute"/> and the few below; never phone, email or name.</summary>
    public static class Spans
    {
        public const string Create = "collect.create";
        public const string Apply = "collect.apply";
        public const string Callback = "collect.callback";
        public const string Query = "collect.query";
        public const string EventDelivery = "collect.event_delivery";
    }

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts one of <see cref="Spans"/> (null when nobody listens), tagged with the order id when it is known.</summary>
    internal static Activity? StartSpan(string name, string? orderId, ActivityKind kind = ActivityKind.Internal)
    {
        var activity = Source.StartActivity(name, kind);
        if (orderId is not null)
        {
            activity?.SetTag(OrderIdAttribute, orderId);
        }
        return activity;
    }

    /// <summary>The span's W3C <c>traceparent</c> when it is recorded (what a later link needs), else null.</summary>
    internal static string? TraceParentOf(Activity? span) =>
        span is { Recorded: true, IdFormat: ActivityIdFormat.W3C } ? span.Id : null;

    /// <summary>Links <paramref name="span"/> to the trace the order was created in (its create span), when that is known.</summary>
    internal static void LinkToOrderTrace(Activity? span, Order order)
    {
        if (span is not null && order.TraceParent is { } traceParent
            && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var created))
        {
            span.AddLink(new ActivityLink(created));
        }
    }

    /// <summary>A log scope carrying <c>orderId</c>, so every line of one order's work can be found together.</summary>
    public static IDisposable? BeginOrderScope(this ILogger logger, string? orderId) =>
        logger.BeginScope(new Dictionary<string, object?> { ["orderId"] = orderId });
}

/// <summary>
/// The product's instruments on the <c>Collect.Core</c> meter (created through <see cref="IMeterFactory"/>, one per
/// service provider). Tags carry bounded values only — statuses, currencies, endpoints, outcomes — never an order id
/// or anything about the customer.
/// </summary>
public sealed class CollectMetrics
{
    public const string OrdersCreated = "collect.orders.created";
    public const string OrdersEnded = "collect.orders.ended";
    public const string TimeToFinal = "collect.orders.time_to_final";
    public const string HaiPayCalls = "collect.haipay.calls";
    public const string HaiPayCallDuration = "collect.haipay.call.duration";
    public const string CallbackVerifications = "collect.callbacks.verifications";
    public const string CallbacksSuppressed = "collect.callbacks.suppressed";
    public const string EventDeliveries = "collect.events.deliveries";
    public const string KeyLoads = "collect.keys.loads";
    public const string KeyVaultSecretReads = "collect.keyvault.secret_reads";
    public const string SweepActions = "collect.sweep.actions";
    public const string SweepOverdue = "collect.sweep.overdue";

    /// <summary>The statuses <see cref="OrdersEnded"/> counts a change into.</summary>
    public static readonly IReadOnlySet<OrderStatus> EndedStatuses = new HashSet<OrderStatus>
    {
        OrderStatus.Succeeded, OrderStatus.Failed, OrderStatus.Rejected, OrderStatus.Expired, OrderStatus.NeedsReview, OrderStatus.Cancelled,
    };

    private readonly Counter<long> _ordersCreated;
    private readonly Counter<long> _ordersEnded;
    private readonly Histogram<double> _timeToFinal;
    private readonly Counter<long> _haiPayCalls;
    private readonly Histogram<double> _haiPayCallDuration;
    private readonly Counter<long> _callbackVerifications;
    private readonly Counter<long> _callbacksSuppressed;
    private readonly Counter<long> _eventDeliveries;
    private readonly Counter<long> _keyLoads;
    private readonly Counter<long> _keyVaultSecretReads;
    private readonly Counter<long> _sweepActions;
    private readonly Counter<long> _sweepOverdue;

    public CollectMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CollectTelemetry.MeterName);
        _ordersCreated = meter.CreateCounter<long>(OrdersCreated, description: "Orders stored by create (tag: currency)");
        _ordersEnded = meter.CreateCounter<long>(OrdersEnded,
            description: "Status changes into Succeeded, Failed, Rejected, Expired, NeedsReview or Cancelled (tags: status, currency)");
        _timeToFinal = meter.CreateHistogram<double>(TimeToFinal, unit: "s",
            description: "Seconds from create to a status change counted by collect.orders.ended (tags: status, currency)");
        _haiPayCalls = meter.CreateCounter<long>(HaiPayCalls, description: "HaiPay calls (tags: endpoint, outcome)");
        _haiPayCallDuration = meter.CreateHistogram<double>(HaiPayCallDuration, unit: "s",
            description: "HaiPay call latency, retries within the HTTP pipeline included (tags: endpoint, outcome)");
        _callbackVerifications = meter.CreateCounter<long>(CallbackVerifications, description: "HaiPay callbacks received (tag: result)");
        _callbacksSuppressed = meter.CreateCounter<long>(CallbacksSuppressed,
            description: "Unverified or replayed callbacks the bounds only counted, and nudges they held back (tag: reason)");
        _eventDeliveries = meter.CreateCounter<long>(EventDeliveries, description: "Storefront event delivery attempts (tags: outcome, attempt)");
        _keyLoads = meter.CreateCounter<long>(KeyLoads, description: "HaiPay key sets loaded from their store, not the cache (tag: source)");
        _keyVaultSecretReads = meter.CreateCounter<long>(KeyVaultSecretReads, description: "Secrets read from Key Vault");
        _sweepActions = meter.CreateCounter<long>(SweepActions, description: "What the reconciliation sweep did per due order (tag: kind)");
        _sweepOverdue = meter.CreateCounter<long>(SweepOverdue,
            description: "Orders the sweep found still waiting past their deadline plus the sweep grace");
    }

    /// <summary>An order was stored by create.</summary>
    public void OrderCreated(Currency currency) => _ordersCreated.Add(1, Tag("currency", currency.ToString()));

    /// <summary>
    /// A status change was written (the store's one write path calls this after the transaction committed): a change
    /// into one of <see cref="EndedStatuses"/> counts, with the seconds since the order was created.
    /// </summary>
    public void StatusChanged(Order from, Order to)
    {
        if (from.Status == to.Status || !EndedStatuses.Contains(to.Status))
        {
            return;
        }
        var tags = new TagList { { "status", to.Status.ToString() }, { "currency", to.Currency.ToString() } };
        _ordersEnded.Add(1, tags);
        _timeToFinal.Record(Math.Max(0, (to.UpdatedAt - to.CreatedAt).TotalSeconds), tags);
    }

    /// <summary>One HaiPay call ended (<paramref name="endpoint"/>: apply, query, payment_config; outcome: accepted, rejected, transient).</summary>
    public void HaiPayCall(string endpoint, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "endpoint", endpoint }, { "outcome", outcome } };
        _haiPayCalls.Add(1, tags);
        _haiPayCallDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>A callback was received (result: verified, rejected, unknown_order, malformed, error).</summary>
    public void CallbackVerified(string result) => _callbackVerifications.Add(1, Tag("result", result));

    /// <summary>The callback bounds held something back (reason: not_stored, nudge_window, ledger_contended).</summary>
    public void CallbackSuppressed(string reason) => _callbacksSuppressed.Add(1, Tag("reason", reason));

    /// <summary>A storefront delivery attempt ended (outcome: delivered, failed, abandoned).</summary>
    public void EventDelivered(string outcome, int attempt) =>
        _eventDeliveries.Add(1, new TagList { { "outcome", outcome }, { "attempt", attempt } });

    /// <summary>A currency's keys were loaded from their store (source: keyvault, configuration).</summary>
    public void KeysLoaded(string source) => _keyLoads.Add(1, Tag("source", source));

    /// <summary>One secret was read from Key Vault.</summary>
    public void KeyVaultSecretRead() => _keyVaultSecretReads.Add(1);

    /// <summary>The sweep did <paramref name="kind"/> (lower case) for one due order.</summary>
    public void SweepAction(string kind) => _sweepActions.Add(1, Tag("kind", kind));

    /// <summary>The sweep found an order still waiting past its deadline plus the grace.</summary>
    public void SweepFoundOverdue() => _sweepOverdue.Add(1);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}

/// <summary>The values of the bounded tags (what the alerts and the workbook filter on).</summary>
public static class TelemetryValues
{
    public const string Apply = "apply";
    public const string Query = "query";
    public const string PaymentConfig = "payment_config";

    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Transient = "transient";

    public const string Verified = "verified";
    public const string UnknownOrder = "unknown_order";
    public const string Malformed = "malformed";
    public const string VerificationError = "error";

    public const string NotStored = "not_stored";
    public const string NudgeWindow = "nudge_window";
    public const string LedgerContended = "ledger_contended";

    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Abandoned = "abandoned";

    public const string KeyVault = "keyvault";
    public const string Configuration = "configuration";
}
