using System.Globalization;

namespace HaiPay.Callbacks;

/// <summary>
/// The typed view of a callback's known fields, read from the generic map. A callback never decides a status (it is a
/// reason to query), so only orderId and the presence of a status are required; every other field is read leniently
/// (null when absent or unreadable) and the raw map stays the record. <see cref="Amount"/> is the amount collected
/// this time; callbacks carry no actualAmount.
/// </summary>
public sealed record CollectionNotification
{
    public required string OrderId { get; init; }
    public string? OrderNo { get; init; }
    public long? AppId { get; init; }
    public string? Currency { get; init; }
    public decimal? Amount { get; init; }
    public decimal? Fee { get; init; }
    /// <summary>The reported status; null when HaiPay sent a value this product does not know (see <see cref="StatusText"/>).</summary>
    public CollectionStatus? Status { get; init; }

    /// <summary>The status exactly as received.</summary>
    public required string StatusText { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }

    /// <summary>
    /// Reads the known fields; throws <see cref="CallbackFormatException"/> only when orderId or status is missing.
    /// An unknown status, or an appId, amount, fee or payTime that does not parse, reads as null.
    /// </summary>
    public static CollectionNotification FromFields(IReadOnlyDictionary<string, string?> fields, TimeSpan providerUtcOffset)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var orderId = Optional(fields, "orderId") ?? throw new CallbackFormatException("The callback has no orderId.");
        var statusText = Optional(fields, "status") ?? throw new CallbackFormatException("The callback has no status.");
        return new CollectionNotification
        {
            OrderId = orderId,
            OrderNo = Optional(fields, "orderNo"),
            AppId = long.TryParse(Optional(fields, "appId"), NumberStyles.None, CultureInfo.InvariantCulture, out var appId) ? appId : null,
            Currency = Optional(fields, "currency"),
            Amount = HaiPayAmount.TryParseLenient(Optional(fields, "amount"), out var amount) ? amount : null,
            Fee = HaiPayAmount.TryParseLenient(Optional(fields, "fee"), out var fee) ? fee : null,
            Status = CollectionStatusExtensions.TryParse(statusText, out var status) ? status : null,
            StatusText = statusText,
            PayTime = ProviderTime.TryParse(Optional(fields, "payTime"), providerUtcOffset, out var payTime) ? payTime : null,
            ErrorMsg = Optional(fields, "errorMsg"),
        };
    }

    private static string? Optional(IReadOnlyDictionary<string, string?> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
