using HaiPay;
using HaiPay.Client;

namespace Collect.Core.Orders;

/// <summary>
/// The body of <c>POST /api/orders</c>: HaiPay's apply field names plus <c>currency</c>, as the storefront sent them
/// (every field nullable: validation reports what is missing). There is no notifyUrl or appId: the product sets both
/// from configuration, and such fields in a request body are ignored.
/// </summary>
public sealed record CreateOrderRequest
{
    public string? OrderId { get; init; }
    public string? Currency { get; init; }
    public string? Amount { get; init; }
    public string? PayType { get; init; }
    public string? InBankCode { get; init; }
    public string? Name { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? PartnerUserId { get; init; }
    public string? CallBackUrl { get; init; }
    public string? CallBackFailUrl { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }

    /// <summary>The JSON field names of the request, in contract order.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
    [
        "orderId", "currency", "amount", "payType", "inBankCode", "name", "phone", "email", "partnerUserId",
        "callBackUrl", "callBackFailUrl", "subject", "body",
    ];

    /// <summary>
    /// The longest value each field may have (characters). HaiPay documents only orderId's (48); the others are this
    /// product's, generous for real data and small enough that no request can reach Table Storage's property limits.
    /// </summary>
    public static IReadOnlyDictionary<string, int> MaxLengths { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["orderId"] = OrderIds.MaxLength,
        ["currency"] = 3,
        ["amount"] = 16,
        ["payType"] = 32,
        ["inBankCode"] = 64,
        ["name"] = 128,
        ["phone"] = 32,
        ["email"] = 254,
        ["partnerUserId"] = 64,
        ["callBackUrl"] = 2048,
        ["callBackFailUrl"] = 2048,
        ["subject"] = 256,
        ["body"] = 1024,
    };

    /// <summary>Builds a request from field values keyed by the JSON names of <see cref="FieldNames"/>.</summary>
    public static CreateOrderRequest FromFields(IReadOnlyDictionary<string, string?> fields)
    {
        string? Get(string name) => fields.TryGetValue(name, out var value) ? value : null;
        return new CreateOrderRequest
        {
            OrderId = Get("orderId"),
            Currency = Get("currency"),
            Amount = Get("amount"),
            PayType = Get("payType"),
            InBankCode = Get("inBankCode"),
            Name = Get("name"),
            Phone = Get("phone"),
            Email = Get("email"),
            PartnerUserId = Get("partnerUserId"),
            CallBackUrl = Get("callBackUrl"),
            CallBackFailUrl = Get("callBackFailUrl"),
            Subject = Get("subject"),
            Body = Get("body"),
        };
    }

    /// <summary>The HaiPay apply fields (missing ones as empty strings, for the validator to report).</summary>
    public ApplyRequest ToApplyRequest(string? notifyUrl) => new()
    {
        OrderId = OrderId ?? string.Empty,
        Amount = Amount ?? string.Empty,
        PayType = PayType ?? string.Empty,
        InBankCode = InBankCode ?? string.Empty,
        Name = Name ?? string.Empty,
        Phone = Phone ?? string.Empty,
        Email = Email ?? string.Empty,
        PartnerUserId = PartnerUserId ?? string.Empty,
        CallBackUrl = CallBackUrl ?? string.Empty,
        CallBackFailUrl = CallBackFailUrl ?? string.Empty,
        NotifyUrl = notifyUrl,
        Subject = string.IsNullOrEmpty(Subject) ? null : Subject,
        Body = string.IsNullOrEmpty(Body) ? null : Body,
    };

    /// <summary>A new <see cref="OrderStatus.Pending"/> order from a request that passed validation.</summary>
    public Order ToPendingOrder(Currency currency, decimal amount, DateTimeOffset now) => new()
    {
        OrderId = OrderId!,
        Currency = currency,
        Amount = amount,
        PayType = PayType!,
        InBankCode = InBankCode!,
        Name = Name!,
        Phone = Phone!,
        Email = Email!,
        PartnerUserId = PartnerUserId!,
        CallBackUrl = CallBackUrl!,
        CallBackFailUrl = CallBackFailUrl!,
        Subject = string.IsNullOrEmpty(Subject) ? null : Subject,
        Body = string.IsNullOrEmpty(Body) ? null : Body,
        RequestHash = RequestHash.Compute(this),
        Status = OrderStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
