using Collect.Core.Orders;
using HaiPay;

namespace Collect.Core.Collection;

/// <summary>
/// Input of <see cref="CollectionTasks.Orchestrator"/> (instance id = orderId). The order itself lives in the store;
/// the input only carries what the loop needs across ContinueAsNew generations.
/// </summary>
public sealed record CollectionInput
{
    public required string OrderId { get; init; }
    public required Currency Currency { get; init; }
    /// <summary>True once the apply step has succeeded (a ContinueAsNew generation skips it).</summary>
    public bool Applied { get; init; }
    public string? OrderNo { get; init; }
    public string? PayUrl { get; init; }
    /// <summary>Queries made so far, across generations (drives the back-off schedule).</summary>
    public int QueriesMade { get; init; }
    /// <summary>When the query loop gives up; set by the first generation from CurrentUtcDateTime.</summary>
    public DateTime? DeadlineUtc { get; init; }

    /// <summary>
    /// Wait before each query, indexed by queries made; the last entry repeats (Collect:QueryBackoff). Carried in the
    /// input so every replay and generation sees the same schedule, whatever the configuration says later.
    /// </summary>
    public IReadOnlyList<TimeSpan> QueryBackoff { get; init; } = DefaultQueryBackoff;

    /// <summary>How long after the orchestration starts the query loop gives up (Collect:Deadline).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Queries one generation makes before it continues as new, keeping the history bounded.</summary>
    public int ContinueAsNewAfterQueries { get; init; } = 20;

    /// <summary>15 s, 30 s, 1 min, 2 min, then every 5 min.</summary>
    public static IReadOnlyList<TimeSpan> DefaultQueryBackoff { get; } =
    [
        TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(5),
    ];
}

/// <summary>
/// Output of <see cref="CollectionTasks.ApplyActivity"/> (input: the orderId string): the order's status after the
/// apply step (AwaitingPayment when HaiPay accepted; Rejected, NeedsReview or, for an adopted order, any status HaiPay
/// reported) with what the storefront and the loop need.
/// </summary>
public sealed record ApplyOutcome(OrderStatus Status, string? OrderNo, string? PayUrl, string? ErrorCode, string? ErrorMessage)
{
    /// <summary>The order is settled at the apply step already: the orchestration ends.</summary>
    public bool IsFinal => Status.IsFinal();
}

/// <summary>Why a query is made; recorded in the audit trail.</summary>
public enum QueryReason
{
    Scheduled,
    Notified,
    FinalCheck,
    /// <summary>The reconciliation sweep re-queried an order nothing else follows any more (Expired).</summary>
    Sweep,
    /// <summary>An apply was refused: does HaiPay hold an order under this id anyway?</summary>
    ApplyRefused,
    /// <summary>An operator asked for it through the operations API.</summary>
    Operator,
}

/// <summary>Input of <see cref="CollectionTasks.QueryActivity"/>.</summary>
public sealed record QueryRequest(string OrderId, QueryReason Reason);

/// <summary>Output of <see cref="CollectionTasks.QueryActivity"/> and <see cref="CollectionTasks.ExpireActivity"/>: the order after the step.</summary>
public sealed record OrderProgress(OrderStatus Status, CollectionStatus? ProviderStatus)
{
    /// <summary>Succeeded, Failed, Rejected and NeedsReview end the orchestration; Expired ends it too but stays open to late callbacks.</summary>
    public bool IsFinal => Status.IsFinal();
}

/// <summary>Payload of the <see cref="CollectionTasks.NotifyEvent"/> external event (small: the raw callback is in the audit trail).</summary>
/// <param name="ProviderStatus">The callback's status, or HaiPay's query answer when <paramref name="Settled"/> is set.</param>
/// <param name="Verified">The callback's signature verified.</param>
/// <param name="Settled">
/// Set only by the webhook, after HaiPay's own query confirmed the callback and the final status was stored: the
/// orchestration ends on it without a query of its own. Absent (null) in every other signal, and in signals raised
/// before it existed, which are answered by a query as before.
/// </param>
public sealed record NotifySignal(int? ProviderStatus, bool Verified, OrderStatus? Settled = null);

/// <summary>Custom status of a running orchestration (kept small: what the create call and ops need).</summary>
public sealed record CollectionProgress(
    string Phase,
    int? ProviderStatus,
    string? OrderNo,
    string? PayUrl,
    int Queries,
    DateTime? NextQueryAt);

/// <summary>Output of the orchestration.</summary>
public sealed record CollectionResult(OrderStatus Status, int? ProviderStatus, int Queries);
