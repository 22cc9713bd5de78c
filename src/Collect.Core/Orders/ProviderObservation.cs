using HaiPay;
using HaiPay.Client;

namespace Collect.Core.Orders;

/// <summary>What HaiPay's query said about an order: the input of <see cref="OrderTransitions.Observe"/>.</summary>
public sealed record ProviderObservation
{
    public required CollectionStatus Status { get; init; }
    public string? OrderNo { get; init; }
    /// <summary>Amount received; when present on a success it must equal the order amount.</summary>
    public decimal? ActualAmount { get; init; }
    public decimal? Fee { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    public static ProviderObservation FromQuery(QueryResult result) => new()
    {
        Status = result.Status,
        OrderNo = result.OrderNo,
        ActualAmount = result.ActualAmount,
        Fee = result.Fee,
        PayTime = result.PayTime,
        ErrorMsg = result.ErrorMsg,
    };
}
