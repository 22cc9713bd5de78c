namespace HaiPay.Signing;

/// <summary>
/// The points of HaiPay's string-to-sign that nothing official settles (see haipay-protocol.md). Client and sandbox
/// must agree, so both read them from configuration.
/// </summary>
public sealed record SignatureOptions
{
    /// <summary>Drop fields whose value is null or empty before signing. Default true.</summary>
    public bool SkipEmptyValues { get; init; } = true;

    /// <summary>Append <c>&amp;key={secretKey}</c> to the canonical string. Default true.</summary>
    public bool AppendKey { get; init; } = true;

    public static SignatureOptions Default { get; } = new();
}
