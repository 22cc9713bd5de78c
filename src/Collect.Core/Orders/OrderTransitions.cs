using HaiPay;

namespace Collect.Core.Orders;

/// <summary>
/// The status rules of an order, in one place. Every function is pure: it takes the order as stored and returns the
/// order as it must be stored next, or the very same instance when nothing changes (the store then writes nothing).
/// </summary>
/// <remarks>
/// Final statuses never flip: a contradicting final report (2 after 3, 3 after 2, 4/5 after either) turns the order
/// into <see cref="OrderStatus.NeedsReview"/>, and the audit trail keeps both reports. A non-final report never
/// downgrades a final status. <see cref="OrderStatus.Expired"/> stays open to a late final report.
/// <see cref="OrderStatus.Rejected"/> and <see cref="OrderStatus.NeedsReview"/> never change.
/// </remarks>
public static class OrderTransitions
{
    /// <summary>Succeeded, Failed, Rejected and NeedsReview: no provider report moves the order back to waiting.</summary>
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Succeeded or OrderStatus.Failed or OrderStatus.Rejected or OrderStatus.NeedsReview;

    /// <summary>
    /// HaiPay accepted the apply: Pending → AwaitingPayment with orderNo and payUrl (null when the apply's answer was
    /// lost and the order was found by a query, which does not return it).
    /// </summary>
    public static Order ApplyAccepted(Order order, string orderNo, string? payUrl, DateTimeOffset now)
    {
        var next = order.Status == OrderStatus.Pending
            ? order with { Status = OrderStatus.AwaitingPayment, OrderNo = orderNo, PayUrl = payUrl }
            : order with { OrderNo = order.OrderNo ?? orderNo, PayUrl = order.PayUrl ?? payUrl };
        return Touched(order, next, now);
    }

    /// <summary>HaiPay refused the apply: Pending → Rejected with HaiPay's error code and message.</summary>
    public static Order ApplyRejected(Order order, string errorCode, string? errorMessage, DateTimeOffset now) =>
        order.Status == OrderStatus.Pending
            ? Touched(order, order with { Status = OrderStatus.Rejected, ErrorCode = errorCode, ErrorMessage = errorMessage }, now)
            : order;

    /// <summary>The deadline passed: Pending or AwaitingPayment → Expired; any other status stays.</summary>
    public static Order Expire(Order order, DateTimeOffset now) =>
        order.Status is OrderStatus.Pending or OrderStatus.AwaitingPayment
            ? Touched(order, order with { Status = OrderStatus.Expired }, now)
            : order;

    /// <summary>
    /// A verified callback reported a currency other than the order's: flag the order for review (a provider report
    /// about money in the wrong currency is never taken as the order's outcome).
    /// </summary>
    public static Order CurrencyMismatch(Order order, string? reportedCurrency, DateTimeOffset now) =>
        order.Status is OrderStatus.Rejected or OrderStatus.NeedsReview
            ? order
            : Touched(order, order with
            {
                Status = OrderStatus.NeedsReview,
                ErrorMessage = $"HaiPay reported currency '{reportedCurrency}' for a {order.Currency} order",
            }, now);

    /// <summary>Applies what HaiPay's query reported (see the class remarks for the rules).</summary>
    public static Order Observe(Order order, ProviderObservation observation, DateTimeOffset now)
    {
        if (order.Status is OrderStatus.Rejected or OrderStatus.NeedsReview)
        {
            return order;
        }
        var reported = observation.Status;
        var next = reported switch
        {
            _ when !reported.IsFinal() => ObserveOpen(order, observation),
            CollectionStatus.Success => ObserveSuccess(order, observation),
            CollectionStatus.Failed => ObserveFailure(order, observation),
            _ => Review(order, observation, reported == CollectionStatus.PartialCollection
                ? "HaiPay reported a partial collection (status 4)"
                : "HaiPay reported an over-collection (status 5)"),
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
        OrderStatus.Expired => order with { ProviderStatus = observation.Status, OrderNo = order.OrderNo ?? observation.OrderNo },
        _ => order,
    };

    private static Order ObserveSuccess(Order order, ProviderObservation observation)
    {
        if (order.Status == OrderStatus.Failed)
        {
            return Review(order, observation, "HaiPay reported success (2) after failure (3)");
        }
        if (observation.ActualAmount is { } actual && actual != order.Amount)
        {
            return Review(order, observation,
                $"HaiPay collected {HaiPayAmount.Format(actual)} for an order of {HaiPayAmount.Format(order.Amount)} {order.Currency}");
        }
        return order.Status == OrderStatus.Succeeded
            ? order with
            {
                OrderNo = order.OrderNo ?? observation.OrderNo,
                ActualAmount = order.ActualAmount ?? observation.ActualAmount,
                Fee = order.Fee ?? observation.Fee,
                PayTime = order.PayTime ?? observation.PayTime,
            }
            : WithReport(order, observation) with { Status = OrderStatus.Succeeded };
    }

    private static Order ObserveFailure(Order order, ProviderObservation observation) => order.Status switch
    {
        OrderStatus.Succeeded => Review(order, observation, "HaiPay reported failure (3) after success (2)"),
        OrderStatus.Failed => order with { ErrorMessage = order.ErrorMessage ?? observation.ErrorMsg },
        _ => WithReport(order, observation) with { Status = OrderStatus.Failed, ErrorMessage = observation.ErrorMsg },
    };

    private static Order Review(Order order, ProviderObservation observation, string reason) =>
        WithReport(order, observation) with { Status = OrderStatus.NeedsReview, ErrorMessage = reason };

    /// <summary>Takes the provider's figures of a final report.</summary>
    private static Order WithReport(Order order, ProviderObservation observation) => order with
    {
        ProviderStatus = observation.Status,
        OrderNo = order.OrderNo ?? observation.OrderNo,
        ActualAmount = observation.ActualAmount ?? order.ActualAmount,
        Fee = observation.Fee ?? order.Fee,
        PayTime = observation.PayTime ?? order.PayTime,
    };

    /// <summary>The original instance when nothing changed, else the new one stamped with <paramref name="now"/>.</summary>
    private static Order Touched(Order order, Order next, DateTimeOffset now) =>
        next == order ? order : next with { UpdatedAt = now };
}
