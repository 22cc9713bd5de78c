using Collect.Core.Orders;
using HaiPay;

namespace Collect.Core.Tests.Support;

/// <summary>Valid orders and create requests with unique orderIds.</summary>
public static class TestOrders
{
    public static string NewOrderId(string prefix = "T") => $"{prefix}-{Guid.NewGuid():N}"[..32];

    /// <summary>A valid HKD create request body (HaiPay's field names plus currency).</summary>
    public static Dictionary<string, object?> CreateBody(string? orderId = null, string amount = "100.00") => new()
    {
        ["orderId"] = orderId ?? NewOrderId(),
        ["currency"] = "HKD",
        ["amount"] = amount,
        ["payType"] = "EWALLET",
        ["inBankCode"] = "ALIPAY_HKD",
        ["name"] = "Chan Tai Man",
        ["phone"] = "+85251234567",
        ["email"] = "tai.man@example.com",
        ["partnerUserId"] = "user-42",
        ["callBackUrl"] = "https://shop.example.com/paid",
        ["callBackFailUrl"] = "https://shop.example.com/failed",
        ["subject"] = "Order at the shop",
    };

    public static CreateOrderRequest CreateRequest(string? orderId = null, string amount = "100.00") => new()
    {
        OrderId = orderId ?? NewOrderId(),
        Currency = "HKD",
        Amount = amount,
        PayType = "EWALLET",
        InBankCode = "ALIPAY_HKD",
        Name = "Chan Tai Man",
        Phone = "+85251234567",
        Email = "tai.man@example.com",
        PartnerUserId = "user-42",
        CallBackUrl = "https://shop.example.com/paid",
        CallBackFailUrl = "https://shop.example.com/failed",
        Subject = "Order at the shop",
    };

    public static Order Pending(string? orderId = null, decimal amount = 100m, DateTimeOffset? now = null) =>
        CreateRequest(orderId, HaiPayAmount.Format(amount)).ToPendingOrder(Currency.HKD, amount, now ?? DateTimeOffset.UtcNow);

    public static Order WithStatus(OrderStatus status, decimal amount = 100m) => Pending(amount: amount) with { Status = status };
}
