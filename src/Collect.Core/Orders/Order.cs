using HaiPay;

namespace Collect.Core.Orders;

/// <summary>
/// A collection order as stored (one row per order in the orders table). The customer fields are what the
/// storefront sent; <see cref="RequestHash"/> fingerprints them for idempotent create.
/// </summary>
public sealed record Order
{
    public required string OrderId { get; init; }
    public required Currency Currency { get; init; }
    public required decimal Amount { get; init; }
    public required string PayType { get; init; }
    public required string InBankCode { get; init; }
    public required string Name { get; init; }
    public required string Phone { get; init; }
    public required string Email { get; init; }
    public required string PartnerUserId { get; init; }
    public required string CallBackUrl { get; init; }
    public required string CallBackFailUrl { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }

    /// <summary>SHA-256 over the normalized create request; same hash = identical request.</summary>
    public required string RequestHash { get; init; }

    /// <summary>
    /// W3C <c>traceparent</c> of the create's span when it was recorded (telemetry only, not part of the request):
    /// HaiPay's callbacks, which arrive in traces of their own, link to it.
    /// </summary>
    public string? TraceParent { get; init; }

    public OrderStatus Status { get; init; } = OrderStatus.Pending;
    /// <summary>HaiPay's last known status (0, 1, -1, 2, 3, 4, 5), null before any.</summary>
    public CollectionStatus? ProviderStatus { get; init; }
    public string? OrderNo { get; init; }
    public string? PayUrl { get; init; }
    public decimal? ActualAmount { get; init; }
    public decimal? Fee { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    /// <summary>
    /// Apply calls started, each recorded before it is sent. An attempt that ended without HaiPay's answer (timeout,
    /// crash) may still have opened the order at HaiPay, so only an order with an earlier attempt may be adopted
    /// from HaiPay's query when a later apply is refused as a repeat.
    /// </summary>
    public int ApplyAttempts { get; init; }

    /// <summary>Storefront events written for this order so far (the last one's sequence number); 0 before any.</summary>
    public int EventSequence { get; init; }

    /// <summary>The operator's note when the order was resolved or cancelled through the operations API.</summary>
    public string? ResolutionNote { get; init; }

    /// <summary>When an operator resolved or cancelled the order.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>
    /// When the customer's name, phone and email were erased after <see cref="CollectOptions.CustomerDataRetention"/>
    /// (<see cref="Operations.CustomerDataRetention"/>); null while they are kept.
    /// </summary>
    public DateTimeOffset? CustomerDataErasedAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Set by <c>OrderStore.UpdateAsync</c> on the order it returns when that write created a storefront event: the
    /// event as written (its delivery is to be started); never stored.
    /// </summary>
    public Events.OrderEvent? WrittenEvent { get; init; }

    /// <summary>Table Storage ETag of the row this was read from (null for a new order).</summary>
    public string? ETag { get; init; }
}
