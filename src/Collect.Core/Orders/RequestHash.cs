using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HaiPay;

namespace Collect.Core.Orders;

/// <summary>
/// Fingerprint of a create request, for idempotent replays: SHA-256 (lower-case hex) over the normalized fields.
/// Normalization: currency upper-cased, amount as a two-decimal string when it parses ("10" = "10.00"), an empty
/// subject or body the same as a missing one; every other value compared exactly (ordinal, untrimmed).
/// </summary>
public static class RequestHash
{
    public static string Compute(CreateOrderRequest request)
    {
        string?[] normalized =
        [
            request.OrderId,
            request.Currency?.Trim().ToUpperInvariant(),
            HaiPayAmount.TryParse(request.Amount, out var amount) ? HaiPayAmount.Format(amount) : request.Amount,
            request.PayType,
            request.InBankCode,
            request.Name,
            request.Phone,
            request.Email,
            request.PartnerUserId,
            request.CallBackUrl,
            request.CallBackFailUrl,
            string.IsNullOrEmpty(request.Subject) ? null : request.Subject,
            string.IsNullOrEmpty(request.Body) ? null : request.Body,
        ];
        // A JSON array keeps the values apart unambiguously (no separator can be forged inside a value).
        var bytes = JsonSerializer.SerializeToUtf8Bytes(normalized);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
