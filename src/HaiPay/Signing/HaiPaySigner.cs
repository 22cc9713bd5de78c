using System.Security.Cryptography;
using System.Text;

namespace HaiPay.Signing;

/// <summary>SHA256withRSA (RSASSA-PKCS1-v1_5, SHA-256) over the canonical string, base64 with padding.</summary>
public sealed class HaiPaySigner(SignatureOptions options)
{
    public HaiPaySigner() : this(SignatureOptions.Default)
    {
    }

    public SignatureOptions Options { get; } = options;

    /// <summary>Signs the fields (any <c>sign</c> field is ignored) with a private key.</summary>
    public string Sign(IEnumerable<KeyValuePair<string, string?>> fields, string secretKey, RSA privateKey)
    {
        var data = Encoding.UTF8.GetBytes(CanonicalString.Build(fields, secretKey, Options));
        return Convert.ToBase64String(privateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> over the fields (minus <c>sign</c>) with a public key. Malformed base64
    /// or a wrong length is a failed verification, never an exception.
    /// </summary>
    public bool Verify(IEnumerable<KeyValuePair<string, string?>> fields, string? signature, string secretKey, RSA publicKey)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }
        var sig = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature.Trim(), sig, out var written))
        {
            return false;
        }
        var data = Encoding.UTF8.GetBytes(CanonicalString.Build(fields, secretKey, Options));
        try
        {
            return publicKey.VerifyData(data, sig.AsSpan(0, written), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Verifies a flat field map that carries its own <c>sign</c> field.</summary>
    public bool VerifySigned(IReadOnlyDictionary<string, string?> fieldsWithSign, string secretKey, RSA publicKey) =>
        fieldsWithSign.TryGetValue(CanonicalString.SignField, out var sign) && Verify(fieldsWithSign, sign, secretKey, publicKey);
}
