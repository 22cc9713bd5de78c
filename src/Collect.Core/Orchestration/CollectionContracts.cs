using Collect.Core.Orders;
using HaiPay;

namespace Collect.Core.Orchestration;

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
}

/// <summary>Output of <see cref="CollectionTasks.ApplyActivity"/> (input: the orderId string).</summary>
public sealed record ApplyOutcome(bool Accepted, string? OrderNo, string? PayUrl, string? ErrorCode, string? ErrorMessage);

/// <summary>Why a query is made; recorded in the audit trail.</summary>
public enum QueryReason
{
    Scheduled,
    Notified,
    FinalCheck,
}

/// <summary>Input of <see cref="CollectionTasks.QueryActivity"/>.</summary>
public sealed record QueryRequest(string OrderId, QueryReason Reason);

/// <summary>Output of <see cref="CollectionTasks.QueryActivity"/> and <see cref="CollectionTasks.ExpireActivity"/>: the order after the step.</summary>
public sealed record OrderProgress(OrderStatus Status, CollectionStatus? ProviderStatus)
{
    /// <summary>Succeeded, Failed, Rejected and NeedsReview end the orchestration; Expired ends it too but stays open to late callbacks.</summary>
    public bool IsFinal => Status is OrderStatus.Succeeded or OrderStatus.Failed or OrderStatus.Rejected or OrderStatus.NeedsReview;
}

/// <summary>Payload of the <see cref="CollectionTasks.NotifyEvent"/> external event (small: the raw callback is in the audit trail).</summary>
public sealed record NotifySignal(int? ProviderStatus, bool Verified);

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
