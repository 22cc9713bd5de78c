using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using HaiPay.Sandbox.Keys;
using HaiPay.Signing;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Wire;

/// <summary>One field of a signed object. Numbers are written as JSON numbers; every value is signed as its text.</summary>
internal readonly record struct WireField(string Name, string? Value, bool IsNumber = false)
{
    public KeyValuePair<string, string?> ToPair() => new(Name, Value);
}

/// <summary>
/// Writes HaiPay's response envelope, <c>{"status":"1","error":"00000000","msg":"","data":{...,"sign":...}}</c> or
/// <c>{"status":"0","error":code,"msg":...}</c>, always with HTTP 200, and signs flat objects the way HaiPay does
/// (platform private key + the currency's secretKey). Fields whose value is null are left out of the object.
/// </summary>
internal sealed class HaiPayEnvelope(SandboxKeys keys, IOptions<SandboxOptions> options)
{
    private readonly HaiPaySigner _signer = new(options.Value.Signature);

    public IResult Success(Currency currency, IReadOnlyList<WireField> data, bool corruptSignature = false) =>
        Success(json => WriteSignedObject(json, currency, data, corruptSignature));

    /// <summary>
    /// A success envelope whose <c>data</c> nests objects and arrays (the payment config answer): signed over its
    /// top-level fields, nested ones as their JSON text (<see cref="HaiPay.Catalogue.PaymentConfigAnswer.SignedFields"/>).
    /// </summary>
    public IResult Success(Currency currency, JsonElement data) => Success(json =>
    {
        var sign = _signer.Sign(HaiPay.Catalogue.PaymentConfigAnswer.SignedFields(data), keys.For(currency).SecretKey, keys.PlatformPrivateKey);
        json.WriteStartObject();
        foreach (var property in data.EnumerateObject())
        {
            property.WriteTo(json);
        }
        json.WriteString(CanonicalString.SignField, sign);
        json.WriteEndObject();
    });

    private static IResult Success(Action<Utf8JsonWriter> writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", "1");
            json.WriteString("error", SandboxErrorCodes.Ok);
            json.WriteString("msg", "");
            json.WritePropertyName("data");
            writeData(json);
            json.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    public static IResult Error(string code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", "0");
            json.WriteString("error", code);
            json.WriteString("msg", message);
            json.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    /// <summary>A signed flat object (a callback body) as UTF-8 JSON.</summary>
    public byte[] SignedObject(Currency currency, IReadOnlyList<WireField> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSignedObject(json, currency, fields, corruptSignature: false);
        }
        return buffer.WrittenMemory.ToArray();
    }

    private void WriteSignedObject(Utf8JsonWriter json, Currency currency, IReadOnlyList<WireField> fields, bool corruptSignature)
    {
        var present = fields.Where(f => f.Value is not null).ToList();
        RSA key = corruptSignature ? keys.WrongPrivateKey : keys.PlatformPrivateKey;
        var sign = _signer.Sign(present.Select(f => f.ToPair()), keys.For(currency).SecretKey, key);
        json.WriteStartObject();
        foreach (var field in present)
        {
            if (field.IsNumber)
            {
                json.WritePropertyName(field.Name);
                json.WriteRawValue(field.Value!, skipInputValidation: false);
            }
            else
            {
                json.WriteString(field.Name, field.Value);
            }
        }
        json.WriteString(CanonicalString.SignField, sign);
        json.WriteEndObject();
    }
}
