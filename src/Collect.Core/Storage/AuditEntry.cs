using Collect.Core.Orders;

namespace Collect.Core.Storage;

/// <summary>What an audit entry records.</summary>
public enum AuditKind
{
    /// <summary>A notify callback as received: raw body, content type, verification result, remote address.</summary>
    CallbackReceived,
    /// <summary>The apply call's outcome: accepted (orderNo) or rejected (error code and message).</summary>
    Apply,
    /// <summary>A query's answer: provider status and why the query was made.</summary>
    Query,
    /// <summary>A status change (from → to) and what caused it.</summary>
    Transition,
    /// <summary>The deadline passed.</summary>
    Expire,
}

/// <summary>
/// One entry of an order's audit trail (audit table: PartitionKey = orderId, RowKey = time-ordered and unique).
/// Only the fields relevant to the <see cref="Kind"/> are set.
/// </summary>
public sealed record AuditEntry
{
    public required string OrderId { get; init; }
    public required AuditKind Kind { get; init; }

    /// <summary>When it was written; set by the store.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The entry's row key (time-ordered); set by the store.</summary>
    public string? Id { get; init; }

    /// <summary>Why: the query reason (Scheduled, Notified, FinalCheck), the cause of a transition.</summary>
    public string? Reason { get; init; }

    /// <summary>Free text: outcome of an apply, the amounts of a query, the problem with a callback.</summary>
    public string? Detail { get; init; }

    /// <summary>HaiPay's status in a query answer or callback.</summary>
    public int? ProviderStatus { get; init; }

    public OrderStatus? FromStatus { get; init; }
    public OrderStatus? ToStatus { get; init; }
    public string? OrderNo { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>The callback body exactly as received (truncated to <see cref="OrderStore.MaxRawBodyLength"/>).</summary>
    public string? RawBody { get; init; }
    public string? ContentType { get; init; }

    /// <summary>The callback's verification result (see <c>CallbackVerification</c> in the notify handler).</summary>
    public string? Verification { get; init; }

    /// <summary>The callback sender's address.</summary>
    public string? Remote { get; init; }
}
