using System.Globalization;

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

    /// <summary>
    /// Reads the known fields; throws <see cref="CallbackFormatException"/> when orderId or status is missing or
    /// invalid, or when appId, amount, fee or payTime is present but unreadable. Empty optional fields read as null.
    /// </summary>
    public static CollectionNotification FromFields(IReadOnlyDictionary<string, string?> fields, TimeSpan providerUtcOffset)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var orderId = Optional(fields, "orderId") ?? throw new CallbackFormatException("The callback has no orderId.");
        var statusText = Optional(fields, "status") ?? throw new CallbackFormatException("The callback has no status.");
        if (!CollectionStatusExtensions.TryParse(statusText, out var status))
        {
            throw new CallbackFormatException($"The callback status '{statusText}' is not a HaiPay collection status.");
        }
        return new CollectionNotification
        {
            OrderId = orderId,
            OrderNo = Optional(fields, "orderNo"),
            AppId = ReadAppId(fields),
            Currency = Optional(fields, "currency"),
            Amount = ReadAmount(fields, "amount"),
            Fee = ReadAmount(fields, "fee"),
            Status = status,
            PayTime = ReadPayTime(fields, providerUtcOffset),
            ErrorMsg = Optional(fields, "errorMsg"),
        };
    }

    private static string? Optional(IReadOnlyDictionary<string, string?> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static long? ReadAppId(IReadOnlyDictionary<string, string?> fields)
    {
        var text = Optional(fields, "appId");
        if (text is null)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var appId)
            ? appId
            : throw new CallbackFormatException($"The callback appId '{text}' is not an integer.");
    }

    private static decimal? ReadAmount(IReadOnlyDictionary<string, string?> fields, string name)
    {
        var text = Optional(fields, name);
        if (text is null)
        {
            return null;
        }
        return HaiPayAmount.TryParseLenient(text, out var amount)
            ? amount
            : throw new CallbackFormatException($"The callback {name} '{text}' is not a decimal amount.");
    }

    private static DateTimeOffset? ReadPayTime(IReadOnlyDictionary<string, string?> fields, TimeSpan providerUtcOffset)
    {
        var text = Optional(fields, "payTime");
        if (text is null)
        {
            return null;
        }
        return ProviderTime.TryParse(text, providerUtcOffset, out var payTime)
            ? payTime
            : throw new CallbackFormatException($"The callback payTime '{text}' is not in the format {ProviderTime.Pattern}.");
    }
}
