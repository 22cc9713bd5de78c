using System.Globalization;
using HaiPay.Sandbox.Orders;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Callbacks;

/// <summary>What a callback reports about an order, captured at its final transition.</summary>
internal sealed record CallbackNotice(
    Currency Currency,
    long AppId,
    string OrderId,
    string OrderNo,
    string? NotifyUrl,
    decimal OrderAmount,
    decimal CollectedAmount,
    decimal Fee,
    CollectionStatus Status,
    CollectionStatus LastNonFinalStatus,
    DateTimeOffset? PayTime,
    string? ErrorMsg)
{
    /// <summary>Captures the order. Call under the order's lock.</summary>
    public static CallbackNotice From(SandboxOrder order) => new(
        order.Currency, order.AppId, order.OrderId, order.OrderNo, order.NotifyUrl, order.Amount, order.CollectedAmount,
        order.Fee, order.Status, order.LastNonFinalStatus, order.PayTime, order.ErrorMsg);

    /// <summary>A late copy of the status the order had before its final one.</summary>
    public CallbackNotice Stale() => this with
    {
        Status = LastNonFinalStatus, CollectedAmount = 0m, Fee = 0m, PayTime = null, ErrorMsg = null,
    };

    /// <summary>The opposite final status: failed after a collection, a full success after a failure.</summary>
    public CallbackNotice Contradicting(DateTimeOffset now, decimal feePercent) => Status == CollectionStatus.Failed
        ? this with
        {
            Status = CollectionStatus.Success,
            CollectedAmount = OrderAmount,
            Fee = Math.Round(OrderAmount * feePercent / 100m, 2, MidpointRounding.AwayFromZero),
            PayTime = now,
            ErrorMsg = null,
        }
        : this with
        {
            Status = CollectionStatus.Failed, CollectedAmount = 0m, Fee = 0m, PayTime = null,
            ErrorMsg = "Payment failed (sandbox contradicting callback)",
        };

    /// <summary>The callback's fields: appId, currency, orderId, orderNo, amount, fee, status, payTime, errorMsg.</summary>
    public IReadOnlyList<WireField> Fields(TimeSpan providerUtcOffset) =>
    [
        new("appId", AppId.ToString(CultureInfo.InvariantCulture), IsNumber: true),
        new("currency", Currency.ToString()),
        new("orderId", OrderId),
        new("orderNo", OrderNo),
        new("amount", HaiPayAmount.Format(CollectedAmount)),
        new("fee", HaiPayAmount.Format(Fee)),
        new("status", Status.ToWire().ToString(CultureInfo.InvariantCulture), IsNumber: true),
        new("payTime", PayTime is { } t ? ProviderTime.Format(t, providerUtcOffset) : null),
        new("errorMsg", ErrorMsg),
    ];
}
