using System.Security.Cryptography;

namespace HaiPay.Signing;

/// <summary>Thrown when a key is not a usable RSA key in any accepted format. The message never contains key material.</summary>
public sealed class KeyFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads and exports RSA keys the way HaiPay exchanges them: bare base64 (no PEM armour, no whitespace), or PEM.
/// Private keys: PKCS#8 or PKCS#1. Public keys: SubjectPublicKeyInfo (PKCS#1 RSAPublicKey also accepted).
/// </summary>
public static class RsaKeys
{
    public static RSA LoadPrivateKey(string text, string keyName = "private key")
    {
        var der = Decode(text, keyName);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
        }
        try
        {
            rsa.ImportRSAPrivateKey(der, out _);
            return rsa;
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new KeyFormatException($"The {keyName} is neither a PKCS#8 nor a PKCS#1 RSA private key.", ex);
        }
    }

    public static RSA LoadPublicKey(string text, string keyName = "public key")
    {
        var der = Decode(text, keyName);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
        }
        try
        {
            rsa.ImportRSAPublicKey(der, out _);
            return rsa;
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new KeyFormatException($"The {keyName} is not an RSA SubjectPublicKeyInfo (or PKCS#1) public key.", ex);
        }
    }

    /// <summary>PKCS#8 private key as bare base64, the form merchants keep in Key Vault.</summary>
    public static string ExportPrivateKeyBase64(RSA rsa) => Convert.ToBase64String(rsa.ExportPkcs8PrivateKey());

    /// <summary>SubjectPublicKeyInfo as bare base64, the form HaiPay exchanges.</summary>
    public static string ExportPublicKeyBase64(RSA rsa) => Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());

    private static byte[] Decode(string text, string keyName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new KeyFormatException($"The {keyName} is empty.");
        }
        var body = string.Concat(text
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))
            .Replace(" ", string.Empty)
            .Replace("\t", string.Empty);
        try
        {
            var der = Convert.FromBase64String(body);
            if (der.Length == 0)
            {
                throw new KeyFormatException($"The {keyName} is empty.");
            }
            return der;
        }
        catch (FormatException ex)
        {
            throw new KeyFormatException($"The {keyName} is not valid base64 or PEM.", ex);
        }
    }
}
