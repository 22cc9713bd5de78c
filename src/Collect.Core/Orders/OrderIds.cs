using HaiPay.Validation;

namespace Collect.Core.Orders;

/// <summary>What an orderId must be to serve as a storage key and orchestration instance id.</summary>
public static class OrderIds
{
    /// <summary>Characters Table Storage forbids in keys (besides control characters).</summary>
    public static IReadOnlyList<char> ForbiddenCharacters { get; } = ['/', '\\', '#', '?'];

    /// <summary>1–48 characters, none of them forbidden in a Table Storage key.</summary>
    public static bool IsStorable(string? orderId) =>
        !string.IsNullOrEmpty(orderId) &&
        orderId.Length <= ApplyRequestValidator.OrderIdMaxLength &&
        !orderId.Any(c => char.IsControl(c) || ForbiddenCharacters.Contains(c));
}
