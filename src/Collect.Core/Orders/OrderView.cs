using System.Globalization;
using System.Text.Json.Serialization;
using HaiPay;

namespace Collect.Core.Orders;

/// <summary>
/// The order as the HTTP API shows it (the contract's exact field names). Amounts are decimal strings with two
/// decimals ("10.00"), <c>status</c> and <c>currency</c> are names, <c>providerStatus</c> is HaiPay's own integer
/// status (0, 1, -1, 2, 3, 4, 5), times are ISO 8601 with an offset (<c>payTime</c> keeps HaiPay's +08:00).
/// Customer details (name, phone, email) are not part of the view. <c>resolutionNote</c> and <c>resolvedAt</c> are set
/// when an operator resolved or cancelled the order.
/// </summary>
public sealed record OrderView(
    [property: JsonPropertyName("orderId")] string OrderId,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("amount")] string Amount,
    [property: JsonPropertyName("payType")] string PayType,
    [property: JsonPropertyName("inBankCode")] string InBankCode,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("providerStatus")] int? ProviderStatus,
    [property: JsonPropertyName("orderNo")] string? OrderNo,
    [property: JsonPropertyName("payUrl")] string? PayUrl,
    [property: JsonPropertyName("actualAmount")] string? ActualAmount,
    [property: JsonPropertyName("fee")] string? Fee,
    [property: JsonPropertyName("payTime")] DateTimeOffset? PayTime,
    [property: JsonPropertyName("errorCode")] string? ErrorCode,
    [property: JsonPropertyName("errorMessage")] string? ErrorMessage,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("resolutionNote")] string? ResolutionNote = null,
    [property: JsonPropertyName("resolvedAt")] DateTimeOffset? ResolvedAt = null)
{
    public static OrderView From(Order order) => new(
        order.OrderId,
        order.Currency.ToString(),
        HaiPayAmount.Format(order.Amount),
        order.PayType,
        order.InBankCode,
        order.Status.ToString(),
        order.ProviderStatus is { } status ? status.ToWire() : null,
        order.OrderNo,
        order.PayUrl,
        order.ActualAmount is { } actual ? ProviderAmount(actual) : null,
        order.Fee is { } fee ? ProviderAmount(fee) : null,
        order.PayTime,
        order.ErrorCode,
        order.ErrorMessage,
        order.CreatedAt,
        order.UpdatedAt,
        order.ResolutionNote,
        order.ResolvedAt);

    /// <summary>At least two decimals, more only when HaiPay reported more (a fee of 0.355 is not rounded away).</summary>
    private static string ProviderAmount(decimal amount) => amount.ToString("0.00########", CultureInfo.InvariantCulture);
}
