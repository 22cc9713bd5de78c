using Collect.Core.Orders;

namespace Collect.Core.Events;

/// <summary>The storefront event types and names, one per status an order can reach.</summary>
public static class OrderEvents
{
    public const string AwaitingPayment = "order.awaiting_payment";
    public const string Succeeded = "order.succeeded";
    public const string Failed = "order.failed";
    public const string Expired = "order.expired";
    public const string Rejected = "order.rejected";
    public const string NeedsReview = "order.needs_review";
    public const string Cancelled = "order.cancelled";

    public static IReadOnlyList<string> All { get; } = [AwaitingPayment, Succeeded, Failed, Expired, Rejected, NeedsReview, Cancelled];

    /// <summary>The event an order reaching <paramref name="status"/> sends (none for Pending, which is where it starts).</summary>
    public static string? TypeFor(OrderStatus status) => status switch
    {
        OrderStatus.AwaitingPayment => AwaitingPayment,
        OrderStatus.Succeeded => Succeeded,
        OrderStatus.Failed => Failed,
        OrderStatus.Expired => Expired,
        OrderStatus.Rejected => Rejected,
        OrderStatus.NeedsReview => NeedsReview,
        OrderStatus.Cancelled => Cancelled,
        _ => null,
    };

    /// <summary>The event's stable id: <c>evt_{orderId}_{sequence}</c> (receivers dedupe on it).</summary>
    public static string EventId(string orderId, int sequence) => $"evt_{orderId}_{sequence}";

    /// <summary>The delivery orchestration's instance id (':' never occurs in an orderId, so this never collides with one).</summary>
    public static string DeliveryInstanceId(string orderId, int sequence) => $"{orderId}:event:{sequence}";
}

/// <summary>Where a storefront event stands.</summary>
public enum EventState
{
    /// <summary>Not delivered yet; a delivery is (or should be) trying.</summary>
    Pending,
    /// <summary>The storefront answered 2xx.</summary>
    Delivered,
    /// <summary>A later event of the same order replaced it before it was delivered (never sent with stale data).</summary>
    Superseded,
    /// <summary>Every scheduled attempt failed; listed as undelivered until an operator redelivers it.</summary>
    Failed,
}

/// <summary>A storefront event as stored (orders table, the order's partition, RowKey <c>event-{sequence:D6}</c>).</summary>
public sealed record OrderEvent
{
    public required string OrderId { get; init; }
    public required int Sequence { get; init; }
    public required string Type { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public EventState State { get; init; } = EventState.Pending;
    public int Attempts { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    /// <summary>The last attempt's outcome in words (<c>HTTP 500</c>, <c>timeout</c>, ...).</summary>
    public string? LastResult { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }

    public string Id => OrderEvents.EventId(OrderId, Sequence);
}

/// <summary>One delivery attempt (RowKey <c>event-{sequence:D6}-{attempt:D3}</c>).</summary>
public sealed record EventAttempt
{
    public required string OrderId { get; init; }
    public required int Sequence { get; init; }
    public required int Attempt { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary><c>automatic</c> (the schedule) or <c>manual</c> (an operator's redelivery).</summary>
    public required string Kind { get; init; }
    public int? HttpStatus { get; init; }
    public string? Error { get; init; }
    public long DurationMs { get; init; }
}
