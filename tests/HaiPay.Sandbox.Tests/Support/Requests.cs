using HaiPay.Client;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>Valid apply requests to vary one field at a time.</summary>
internal static class Requests
{
    public static string NewOrderId() => "T" + Guid.NewGuid().ToString("N")[..20];

    public static ApplyRequest Apply(
        string inBankCode = "ALIPAY_HKD", string payType = "EWALLET", string amount = "100.00", string? orderId = null,
        string? notifyUrl = null, string callBackUrl = "http://127.0.0.1:9/paid", string callBackFailUrl = "http://127.0.0.1:9/failed") => new()
    {
        OrderId = orderId ?? NewOrderId(),
        Amount = amount,
        PayType = payType,
        InBankCode = inBankCode,
        Name = "Chan Tai Man",
        Phone = "+852 9123 4567",
        Email = "tai.man@example.com",
        PartnerUserId = "user-42",
        CallBackUrl = callBackUrl,
        CallBackFailUrl = callBackFailUrl,
        NotifyUrl = notifyUrl,
        Subject = "Sandbox test",
    };
}
