namespace HaiPay.Client;

/// <summary>
/// The fields of <c>/{ccy}/collect/apply</c> except <c>appId</c> and <c>sign</c>, which the client adds.
/// Names follow HaiPay's wire names; <see cref="Amount"/> is the wire string (see <see cref="HaiPayAmount"/>).
/// </summary>
public sealed record ApplyRequest
{
    public required string OrderId { get; init; }
    public required string Amount { get; init; }
    public required string PayType { get; init; }
    public required string InBankCode { get; init; }
    public required string Name { get; init; }
    public required string Phone { get; init; }
    public required string Email { get; init; }
    public required string PartnerUserId { get; init; }
    public required string CallBackUrl { get; init; }
    public required string CallBackFailUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }

    /// <summary>The flat wire fields (without <c>sign</c>), in HaiPay's names.</summary>
    public IReadOnlyDictionary<string, string?> ToFields(long appId) => new Dictionary<string, string?>
    {
        ["appId"] = appId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["orderId"] = OrderId,
        ["amount"] = Amount,
        ["payType"] = PayType,
        ["inBankCode"] = InBankCode,
        ["name"] = Name,
        ["phone"] = Phone,
        ["email"] = Email,
        ["partnerUserId"] = PartnerUserId,
        ["callBackUrl"] = CallBackUrl,
        ["callBackFailUrl"] = CallBackFailUrl,
        ["notifyUrl"] = NotifyUrl,
        ["subject"] = Subject,
        ["body"] = Body,
    };
}

/// <summary>HaiPay accepted the order: its platform order number and the customer's payment page.</summary>
public sealed record ApplyResult(string OrderId, string OrderNo, string PayUrl);

/// <summary>
/// The order as HaiPay's query reports it. Only what decides the status must be readable (orderId, status, and amount
/// when present); every other field is kept as received in <see cref="Fields"/> and read leniently: a value that does
/// not parse reads as null here, and <see cref="IsUnreadable"/> tells it apart from an absent one.
/// </summary>
public sealed record QueryResult
{
    public required string OrderId { get; init; }
    public string? OrderNo { get; init; }

    /// <summary>The order amount HaiPay holds; null when HaiPay left it out.</summary>
    public decimal? Amount { get; init; }

    /// <summary>Amount received; null when absent or unreadable.</summary>
    public decimal? ActualAmount { get; init; }

    /// <summary>Fee; null when absent or unreadable.</summary>
    public decimal? Fee { get; init; }

    /// <summary>The reported status; null when HaiPay sent a value this product does not know (see <see cref="StatusText"/>).</summary>
    public CollectionStatus? Status { get; init; }

    /// <summary>The status exactly as HaiPay sent it.</summary>
    public required string StatusText { get; init; }

    /// <summary>Payment time with HaiPay's offset; null when absent or unreadable.</summary>
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    /// <summary><c>data.currency</c> when HaiPay sent one (the query endpoint is per currency, so usually absent).</summary>
    public string? Currency { get; init; }

    /// <summary>Every field of <c>data</c> as received, <c>sign</c> excepted.</summary>
    public IReadOnlyDictionary<string, string?> Fields { get; init; } = new Dictionary<string, string?>();

    /// <summary>True when the <c>data</c> signature was checked and valid; false when verification is switched off.</summary>
    public bool SignatureVerified { get; init; }

    /// <summary>True when HaiPay sent a non-empty <paramref name="field"/> whose parsed value above is null.</summary>
    public bool IsUnreadable(string field) =>
        Fields.TryGetValue(field, out var text) && !string.IsNullOrEmpty(text) && field switch
        {
            "actualAmount" => ActualAmount is null,
            "fee" => Fee is null,
            "payTime" => PayTime is null,
            "status" => Status is null,
            _ => false,
        };
}
