namespace HaiPay.Sandbox.Wire;

/// <summary>
/// The <c>error</c> codes the sandbox answers with (<c>status "0"</c>, HTTP 200). Only <see cref="UnknownChannel"/> is a
/// known HaiPay code; the others are the sandbox's own (HaiPay's catalogue is not public), documented in docs/sandbox.md.
/// </summary>
public static class SandboxErrorCodes
{
    /// <summary>The envelope's <c>error</c> on success.</summary>
    public const string Ok = "00000000";

    /// <summary>HaiPay's code: the channel (inBankCode) does not exist for this currency.</summary>
    public const string UnknownChannel = "4002";

    /// <summary>Body is not a flat JSON object, or a field is missing or breaks a field rule.</summary>
    public const string ParameterError = "9001";

    /// <summary>The request's <c>sign</c> does not verify with the merchant public key and the currency's secretKey.</summary>
    public const string SignatureError = "9002";

    /// <summary>The appId is missing, unknown, or belongs to the other currency than the URL's.</summary>
    public const string AppIdCurrencyMismatch = "9003";

    /// <summary>The orderId was already used with this appId.</summary>
    public const string DuplicateOrderId = "9004";

    /// <summary>The amount is outside the currency's or the payment method's limits.</summary>
    public const string AmountOutOfLimit = "9005";

    /// <summary>The payment method is under maintenance.</summary>
    public const string MethodUnderMaintenance = "9006";

    /// <summary>No order with this orderId (and orderNo) for this appId.</summary>
    public const string OrderNotFound = "9007";

    /// <summary>Default code of an injected business-error fault.</summary>
    public const string InjectedBusinessError = "9999";
}
