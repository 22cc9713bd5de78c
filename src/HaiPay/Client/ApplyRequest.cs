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

/// <summary>The order as HaiPay's query reports it. Amounts are decimals; <see cref="PayTime"/> carries HaiPay's offset.</summary>
public sealed record QueryResult
{
    public required string OrderId { get; init; }
    public string? OrderNo { get; init; }
    public decimal? Amount { get; init; }
    public decimal? ActualAmount { get; init; }
    public decimal? Fee { get; init; }
    public required CollectionStatus Status { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    /// <summary>True when the <c>data</c> signature was checked and valid; false when verification is switched off.</summary>
    public bool SignatureVerified { get; init; }
}
