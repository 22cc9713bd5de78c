using HaiPay;

namespace Collect.Core.Orders;

/// <summary>
/// The status rules of an order, in one place. Every function is pure: it takes the order as stored and returns the
/// order as it must be stored next, or the very same instance when nothing changes (the store then writes nothing).
/// Only <see cref="Collection.SettlementService"/> applies them.
/// </summary>
/// <remarks>
/// Money is decided only by HaiPay's query: a success counts when HaiPay reports status 2 with the order's amount
/// (and actualAmount, when given) in the order's currency; anything else about money goes to
/// <see cref="OrderStatus.NeedsReview"/>. Final statuses never flip: a contradicting final report (2 after 3, 3 after
/// 2, 4/5 after either) turns the order into NeedsReview, and the audit trail keeps both reports. A non-final report
/// never downgrades a final status. <see cref="OrderStatus.Expired"/> stays open to a late final report.
/// <see cref="OrderStatus.Rejected"/> and <see cref="OrderStatus.NeedsReview"/> never change.
/// </remarks>
public static class OrderTransitions
{
    /// <summary>Succeeded, Failed, Rejected, NeedsReview and Cancelled: nothing waits for the order any more.</summary>
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Succeeded or OrderStatus.Failed or OrderStatus.Rejected or OrderStatus.NeedsReview or OrderStatus.Cancelled;

    /// <summary>Expired and Cancelled: nobody waits, but HaiPay's later word still counts (the sweep re-queries them).</summary>
    public static bool IsOpenToLateReports(this OrderStatus status) => status is OrderStatus.Expired or OrderStatus.Cancelled;

    /// <summary>The longest operator note kept (a resolution or cancellation must say why, briefly).</summary>
    public const int MaxNoteLength = 500;

    /// <summary>
    /// An operator settles an order in review as <paramref name="outcome"/> (Succeeded or Failed) with a note; only
    /// NeedsReview can be resolved (the same instance otherwise: the caller answers 409).
    /// </summary>
    public static Order Resolve(Order order, OrderStatus outcome, string note, DateTimeOffset now) =>
        order.Status == OrderStatus.NeedsReview && outcome is OrderStatus.Succeeded or OrderStatus.Failed
            ? Touched(order, order with { Status = outcome, ResolutionNote = note, ResolvedAt = now }, now)
            : order;

    /// <summary>An operator stops waiting for a Pending or AwaitingPayment order (the same instance otherwise).</summary>
    public static Order Cancel(Order order, string note, DateTimeOffset now) =>
        order.Status.IsWaiting()
            ? Touched(order, order with { Status = OrderStatus.Cancelled, ResolutionNote = note, ResolvedAt = now }, now)
            : order;

    /// <summary>Pending or AwaitingPayment: the order's orchestration is expected to be running.</summary>
    public static bool IsWaiting(this OrderStatus status) => status is OrderStatus.Pending or OrderStatus.AwaitingPayment;

    /// <summary>True when HaiPay refused this Pending order's apply and the refusal is still being checked.</summary>
    public static bool HasUncheckedRefusal(this Order order) => order.Status == OrderStatus.Pending && order.ErrorCode is not null;

    /// <summary>An apply call is about to be sent: counted first, so a lost answer is known to be possible.</summary>
    public static Order ApplyStarted(Order order, DateTimeOffset now) =>
        order.Status == OrderStatus.Pending && !order.HasUncheckedRefusal()
            ? Touched(order, order with { ApplyAttempts = order.ApplyAttempts + 1 }, now)
            : order;

    /// <summary>
    /// HaiPay accepted the apply: Pending → AwaitingPayment with orderNo and payUrl (null when the apply's answer was
    /// lost and the order was found by a query, which does not return it).
    /// </summary>
    public static Order ApplyAccepted(Order order, string orderNo, string? payUrl, DateTimeOffset now)
    {
        var next = order.Status == OrderStatus.Pending
            ? order with { Status = OrderStatus.AwaitingPayment, OrderNo = orderNo, PayUrl = payUrl, ErrorCode = null, ErrorMessage = null }
            : order with { OrderNo = order.OrderNo ?? orderNo, PayUrl = order.PayUrl ?? payUrl };
        return Touched(order, next, now);
    }

    /// <summary>
    /// HaiPay refused the apply: the refusal is recorded on the Pending order, which stays Pending until
    /// <see cref="ApplyRefusalChecked"/> has asked HaiPay whether it holds an order under this id anyway.
    /// </summary>
    public static Order ApplyRefused(Order order, string errorCode, string? errorMessage, DateTimeOffset now) =>
        order.Status == OrderStatus.Pending
            ? Touched(order, order with { ErrorCode = errorCode, ErrorMessage = errorMessage }, now)
            : order;

    /// <summary>
    /// The refused apply, checked against HaiPay's query (<paramref name="heldAtHaiPay"/>: what HaiPay holds under the
    /// orderId, or null when it holds nothing). Nothing held → Rejected. Something held after a first, refused attempt
    /// → NeedsReview: the id was used before (another environment, an old integration), and the money is not ours to
    /// claim. Something held after an earlier attempt whose answer was lost → that attempt opened it: adopted
    /// (AwaitingPayment, then HaiPay's status through <see cref="Observe"/>) when it is the same money (amount,
    /// currency, and no payment before this order existed); otherwise NeedsReview.
    /// </summary>
    public static Order ApplyRefusalChecked(Order order, ProviderObservation? heldAtHaiPay, DateTimeOffset now)
    {
        if (!order.HasUncheckedRefusal())
        {
            return order;
        }
        if (heldAtHaiPay is null)
        {
            return Touched(order, order with { Status = OrderStatus.Rejected }, now);
        }
        var refusal = $"HaiPay refused the apply ({order.ErrorCode}: {order.ErrorMessage})";
        var held = $"holds an order under this id (status {heldAtHaiPay.StatusText}, amount {Money(heldAtHaiPay.Amount)})";
        if (order.ApplyAttempts <= 1)
        {
            return Touched(order, Review(order, heldAtHaiPay, $"{refusal} but {held}, and no earlier attempt of this order can have opened it"), now);
        }
        var sameMoney = heldAtHaiPay.Amount == order.Amount && CurrencyMatches(order, heldAtHaiPay) && !PaidBeforeCreated(order, heldAtHaiPay);
        if (!sameMoney)
        {
            return Touched(order, Review(order, heldAtHaiPay, $"{refusal} and {held}, which is not this order's money"), now);
        }
        var accepted = ApplyAccepted(order, heldAtHaiPay.OrderNo ?? string.Empty, payUrl: null, now);
        return Observe(accepted, heldAtHaiPay, now);
    }

    /// <summary>
    /// The deadline passed: Pending or AwaitingPayment → Expired; any other status stays, and so does an order whose
    /// refused apply is still being checked (only that check may settle it: an Expired order is open to a later success).
    /// </summary>
    public static Order Expire(Order order, DateTimeOffset now) =>
        order.Status.IsWaiting() && !order.HasUncheckedRefusal()
            ? Touched(order, order with { Status = OrderStatus.Expired }, now)
            : order;

    /// <summary>Applies what HaiPay's query reported (see the class remarks for the rules).</summary>
    public static Order Observe(Order order, ProviderObservation observation, DateTimeOffset now)
    {
        if (order.Status is OrderStatus.Rejected or OrderStatus.NeedsReview || order.HasUncheckedRefusal())
        {
            return order;
        }
        var next = observation.Status switch
        {
            null => Review(order, observation, $"HaiPay reported status '{observation.StatusText}', which this product does not know"),
            _ when !CurrencyMatches(order, observation) => Review(order, observation,
                $"HaiPay reported currency '{observation.Currency}' for a {order.Currency} order"),
            { } open when !open.IsFinal() => ObserveOpen(order, observation),
            CollectionStatus.Success when order.Status == OrderStatus.Cancelled => Review(order, observation,
                "HaiPay reported a success (2) for an order an operator had cancelled"),
            CollectionStatus.Success => ObserveSuccess(order, observation),
            CollectionStatus.Failed when order.Status == OrderStatus.Cancelled => order with { ProviderStatus = observation.Status },
            CollectionStatus.Failed => ObserveFailure(order, observation),
            CollectionStatus.PartialCollection => Review(order, observation, "HaiPay reported a partial collection (status 4)"),
            _ => Review(order, observation, "HaiPay reported an over-collection (status 5)"),
        };
        return Touched(order, next, now);
    }

    /// <summary>0, 1 or -1: still open. Waiting orders wait on; Expired stays Expired; final statuses are kept.</summary>
    private static Order ObserveOpen(Order order, ProviderObservation observation) => order.Status switch
    {
        OrderStatus.Pending or OrderStatus.AwaitingPayment => order with
        {
            Status = OrderStatus.AwaitingPayment,
            ProviderStatus = observation.Status,
            OrderNo = order.OrderNo ?? observation.OrderNo,
        },
        OrderStatus.Expired or OrderStatus.Cancelled => order with { ProviderStatus = observation.Status, OrderNo = order.OrderNo ?? observation.OrderNo },
        _ => order,
    };

    private static Order ObserveSuccess(Order order, ProviderObservation observation)
    {
        if (order.Status == OrderStatus.Failed)
        {
            return Review(order, observation, "HaiPay reported success (2) after failure (3)");
        }
        if (SuccessMismatch(order, observation) is { } mismatch)
        {
            return Review(order, observation, mismatch);
        }
        return order.Status == OrderStatus.Succeeded
            ? order with
            {
                OrderNo = order.OrderNo ?? observation.OrderNo,
                ActualAmount = order.ActualAmount ?? observation.ActualAmount,
                Fee = order.Fee ?? observation.Fee,
                PayTime = order.PayTime ?? observation.PayTime,
            }
            : WithReport(order, observation) with { Status = OrderStatus.Succeeded, ErrorCode = null, ErrorMessage = null };
    }

    /// <summary>Why a reported success is not this order's money, or null when it is.</summary>
    private static string? SuccessMismatch(Order order, ProviderObservation observation)
    {
        var expected = $"{Money(order.Amount)} {order.Currency}";
        if (observation.Amount is not { } amount)
        {
            return $"HaiPay reported success without the order amount (expected {expected})";
        }
        if (amount != order.Amount)
        {
            return $"HaiPay reported success for an amount of {Money(amount)} on an order of {expected}";
        }
        if (observation.UnreadableActualAmount is { } unreadable)
        {
            return $"HaiPay reported success with an actualAmount of '{unreadable}', which is not an amount (expected {expected})";
        }
        if (observation.ActualAmount is { } actual && actual != order.Amount)
        {
            return $"HaiPay collected {Money(actual)} for an order of {expected}";
        }
        if (PaidBeforeCreated(order, observation))
        {
            return $"HaiPay reports a payment at {observation.PayTime:O}, before this order was created ({order.CreatedAt:O})";
        }
        return null;
    }

    /// <summary>How far HaiPay's clock may run behind ours before a payment time "before the order" is taken as such.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    /// <summary>HaiPay reports a payment made before this order existed: it is not this order's money.</summary>
    private static bool PaidBeforeCreated(Order order, ProviderObservation observation) =>
        observation.PayTime is { } paid && paid < order.CreatedAt - ClockTolerance;

    private static Order ObserveFailure(Order order, ProviderObservation observation) => order.Status switch
    {
        OrderStatus.Succeeded => Review(order, observation, "HaiPay reported failure (3) after success (2)"),
        OrderStatus.Failed => order with { ErrorMessage = order.ErrorMessage ?? observation.ErrorMsg },
        _ => WithReport(order, observation) with { Status = OrderStatus.Failed, ErrorCode = null, ErrorMessage = observation.ErrorMsg },
    };

    /// <summary>The query names no currency (the endpoint is per currency) or names the order's own.</summary>
    private static bool CurrencyMatches(Order order, ProviderObservation observation) =>
        observation.Currency is null ||
        (CurrencyExtensions.TryParse(observation.Currency, out var reported) && reported == order.Currency);

    private static Order Review(Order order, ProviderObservation observation, string reason) =>
        WithReport(order, observation) with { Status = OrderStatus.NeedsReview, ErrorMessage = reason };

    /// <summary>Takes the provider's figures of a report.</summary>
    private static Order WithReport(Order order, ProviderObservation observation) => order with
    {
        ProviderStatus = observation.Status ?? order.ProviderStatus,
        OrderNo = order.OrderNo ?? observation.OrderNo,
        ActualAmount = observation.ActualAmount ?? order.ActualAmount,
        Fee = observation.Fee ?? order.Fee,
        PayTime = observation.PayTime ?? order.PayTime,
    };

    private static string Money(decimal? amount) => amount is { } value ? HaiPayAmount.Format(value) : "(none)";

    /// <summary>The original instance when nothing changed, else the new one stamped with <paramref name="now"/>.</summary>
    private static Order Touched(Order order, Order next, DateTimeOffset now) =>
        next == order ? order : next with { UpdatedAt = now };
}
