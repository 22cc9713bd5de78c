namespace HaiPay.Client;

/// <summary>Base of every failure the HaiPay client reports.</summary>
public abstract class HaiPayException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Why a call failed transiently.</summary>
public enum TransientReason
{
    Timeout,
    ConnectionError,
    ServerError,
    MalformedResponse,
    InvalidSignature,
}

/// <summary>
/// The call may have failed for reasons unrelated to the request itself (timeout, connection error, HTTP 5xx or
/// another non-2xx, unparseable body, a response whose signature does not verify). Safe to retry.
/// </summary>
public sealed class HaiPayTransientException(TransientReason reason, string message, Exception? inner = null)
    : HaiPayException(message, inner)
{
    public TransientReason Reason { get; } = reason;
}

/// <summary>HaiPay answered <c>status "0"</c> with an error code: a business rejection. Never retried.</summary>
public sealed class HaiPayRejectedException(string code, string? providerMessage)
    : HaiPayException($"HaiPay rejected the request: {code} {providerMessage}".TrimEnd())
{
    public string Code { get; } = code;
    public string? ProviderMessage { get; } = providerMessage;
}
