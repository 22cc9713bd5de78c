using System.Security.Cryptography;
using System.Text.Json;
using HaiPay.Client;
using HaiPay.Signing;

namespace HaiPay.Catalogue;

/// <summary>
/// Reads and verifies the <c>data</c> object of HaiPay's <c>POST /common/payment/config</c> answer.
/// </summary>
/// <remarks>
/// The answer is signed although nested. Its string to sign is built like every other one from the top-level fields
/// of <c>data</c> (minus <c>sign</c>): scalars as their text, nested objects and arrays (<c>configs</c>) as their
/// JSON text exactly as received. An answer without <c>sign</c>, or whose signature does not verify with the platform
/// key, is refused before anything in it is read.
/// </remarks>
public static class PaymentConfigAnswer
{
    /// <summary>The live methods of a verified answer; throws <see cref="HaiPayTransientException"/> otherwise.</summary>
    public static IReadOnlyList<LivePaymentMethod> ReadVerified(
        JsonElement data, HaiPaySigner signer, string secretKey, RSA platformPublicKey)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var fields = SignedFields(data);
        if (!signer.VerifySigned(fields, secretKey, platformPublicKey))
        {
            throw new HaiPayTransientException(TransientReason.InvalidSignature,
                "The signature of HaiPay's payment config answer is missing or does not verify with the platform public key.");
        }
        return Methods(data);
    }

    /// <summary>The top-level fields of <c>data</c> as HaiPay signs them.</summary>
    public static Dictionary<string, string?> SignedFields(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("data is not a JSON object");
        }
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
        {
            var value = property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                ? property.Value.GetRawText()
                : FlatJson.TryScalarText(property.Value, out var text) ? text : throw Malformed($"data.{property.Name} is not valid text");
            if (!fields.TryAdd(property.Name, value))
            {
                throw Malformed($"data.{property.Name} appears more than once");
            }
        }
        return fields;
    }

    private static List<LivePaymentMethod> Methods(JsonElement data)
    {
        if (!data.TryGetProperty("configs", out var configs) || configs.ValueKind != JsonValueKind.Array)
        {
            throw Malformed("data.configs is not an array");
        }
        var methods = new List<LivePaymentMethod>();
        foreach (var config in configs.EnumerateArray())
        {
            if (config.ValueKind != JsonValueKind.Object
                || !config.TryGetProperty("payMethods", out var payMethods) || payMethods.ValueKind != JsonValueKind.Array)
            {
                throw Malformed("a config has no payMethods array");
            }
            methods.AddRange(payMethods.EnumerateArray().Select(Method));
        }
        return methods;
    }

    private static LivePaymentMethod Method(JsonElement method)
    {
        if (method.ValueKind != JsonValueKind.Object || !method.TryGetProperty("limit", out var limit) || limit.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("a payMethod has no limit object");
        }
        var code = Text(method, "inBankCode") ?? throw Malformed("a payMethod has no inBankCode");
        var min = Amount(limit, "singleMinAmount", code);
        var max = Amount(limit, "singleMaxAmount", code);
        if (min > max)
        {
            throw Malformed($"payMethod {code} has singleMinAmount above singleMaxAmount");
        }
        return new LivePaymentMethod(code, Text(method, "name") ?? code, min, max);
    }

    private static decimal Amount(JsonElement limit, string name, string code) =>
        HaiPayAmount.TryParseLenient(Text(limit, name), out var amount) && amount >= 0
            ? amount
            : throw Malformed($"payMethod {code} has no readable {name}");

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var element) && FlatJson.ScalarText(element) is { Length: > 0 } text ? text : null;

    private static HaiPayTransientException Malformed(string problem) =>
        new(TransientReason.MalformedResponse, $"HaiPay's payment config answer is malformed: {problem}.");
}
