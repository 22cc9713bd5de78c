namespace HaiPay.Callbacks;

/// <summary>
/// The typed view of a callback's known fields, read from the generic map after verification.
/// <see cref="Amount"/> is the amount collected this time; callbacks carry no actualAmount.
/// </summary>
public sealed record CollectionNotification
{
    public required string OrderId { get; init; }
    public string? OrderNo { get; init; }
    public long? AppId { get; init; }
    public string? Currency { get; init; }
    public decimal? Amount { get; init; }
    public decimal? Fee { get; init; }
    public required CollectionStatus Status { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    /// <summary>Reads the known fields; throws <see cref="CallbackFormatException"/> when orderId or status is missing or invalid.</summary>
    public static CollectionNotification FromFields(IReadOnlyDictionary<string, string?> fields, TimeSpan providerUtcOffset) =>
        throw new NotImplementedException();
}
