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
    /// <summary>The deadline passed, and what it did to the order.</summary>
    Expire,
    /// <summary>An action of the reconciliation sweep (restart, re-query schedule); reason <c>sweep</c>.</summary>
    Sweep,
    /// <summary>A summary of callbacks that were counted but not stored (the bounds on unverified traffic).</summary>
    CallbacksSuppressed,
    /// <summary>An operator's action through the operations API: who (actor), what (reason), why (detail).</summary>
    Operator,
    /// <summary>The customer's name, phone and email were erased after the retention period (actor <c>retention</c>).</summary>
    CustomerDataErased,
}

/// <summary>
/// One entry of an order's audit trail, stored in the order's own partition of the orders table (RowKey
/// <c>audit-</c> + time-ordered and unique), so a status change and its entries are written in one transaction.
/// Only the fields relevant to the <see cref="Kind"/> are set. Text is stored sanitised (no lone surrogates) and
/// bounded (<see cref="StorageText"/>); entries never hold customer contact details.
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

    /// <summary>
    /// The callback body (or HaiPay's query data) as received, truncated to <see cref="RawBodyLimit"/> characters.
    /// </summary>
    public string? RawBody { get; init; }
    public string? ContentType { get; init; }

    /// <summary>How much of <see cref="RawBody"/> is kept: <see cref="StorageText.MaxRawBody"/> unless a tighter cap applies.</summary>
    public int RawBodyLimit { get; init; } = StorageText.MaxRawBody;

    /// <summary>The callback's verification result (see <c>CallbackVerification</c> in the notify handler).</summary>
    public string? Verification { get; init; }

    /// <summary>The callback sender's address (the hop the platform appended, never a client-supplied one).</summary>
    public string? Remote { get; init; }

    /// <summary>Who acted when it was not HaiPay or the order's own orchestration: <c>sweep</c>, or an operator.</summary>
    public string? Actor { get; init; }
}
