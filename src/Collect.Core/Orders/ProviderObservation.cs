using HaiPay;
using HaiPay.Client;

namespace Collect.Core.Orders;

/// <summary>What HaiPay's query said about an order: the input of <see cref="OrderTransitions.Observe"/>.</summary>
public sealed record ProviderObservation
{
    /// <summary>The reported status; null when HaiPay sent a value this product does not know.</summary>
    public required CollectionStatus? Status { get; init; }

    /// <summary>The status as HaiPay sent it (what an unknown status is reported with).</summary>
    public required string StatusText { get; init; }

    public string? OrderNo { get; init; }

    /// <summary>The order amount HaiPay holds; a success counts only when it equals the order's amount.</summary>
    public decimal? Amount { get; init; }

    /// <summary>Amount received; when present on a success it must equal the order amount.</summary>
    public decimal? ActualAmount { get; init; }

    /// <summary>The raw actualAmount when HaiPay sent one that does not parse (a success then cannot be confirmed).</summary>
    public string? UnreadableActualAmount { get; init; }

    public decimal? Fee { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    /// <summary>The currency HaiPay named, when it named one.</summary>
    public string? Currency { get; init; }

    public static ProviderObservation FromQuery(QueryResult result) => new()
    {
        Status = result.Status,
        StatusText = result.StatusText,
        OrderNo = result.OrderNo,
        Amount = result.Amount,
        ActualAmount = result.ActualAmount,
        UnreadableActualAmount = result.IsUnreadable("actualAmount") ? result.Fields["actualAmount"] : null,
        Fee = result.Fee,
        PayTime = result.PayTime,
        ErrorMsg = result.ErrorMsg,
        Currency = result.Currency,
    };
}
