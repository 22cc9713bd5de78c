using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HaiPay.Catalogue;
using HaiPay.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HaiPay.Client;

/// <summary>
/// Typed <see cref="HttpClient"/> client for HaiPay's collection endpoints (registered with
/// <see cref="HaiPayServiceCollectionExtensions.AddHaiPayClient"/>). Signs requests, parses the envelope
/// (<c>status</c> as string or integer), verifies <c>data</c>, and classifies failures.
/// </summary>
/// <remarks>
/// Requests go to <c>{BaseUrl}/{ccy}/collect/{apply|query}</c> as flat JSON: <c>appId</c> as a JSON number, every
/// other field as a string, null fields left out of both the body and the signature. Each HTTP attempt is bounded by
/// <see cref="HaiPayOptions.AttemptTimeout"/>. Caller cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed partial class HaiPayClient(
    HttpClient http,
    IHaiPayCredentialSource credentials,
    IOptions<HaiPayOptions> options,
    ILogger<HaiPayClient> logger) : IHaiPayClient
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HaiPayOptions _options = options.Value;
    private readonly HaiPaySigner _signer = new(options.Value.Signature);

    public Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(currency, "collect/apply", request.OrderId, request.ToFields, (data, _) =>
        {
            CheckOrderId(data, request.OrderId);
            return new ApplyResult(Required(data, "orderId"), Required(data, "orderNo"), Required(data, "payUrl"));
        }, cancellationToken);
    }

    public Task<QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        return CallAsync(currency, "collect/query", orderId, appId => new Dictionary<string, string?>
        {
            ["appId"] = appId.ToString(CultureInfo.InvariantCulture),
            ["orderId"] = orderId,
            ["orderNo"] = string.IsNullOrEmpty(orderNo) ? null : orderNo,
        }, (data, verified) =>
        {
            CheckOrderId(data, orderId);
            var statusText = Required(data, "status");
            return new QueryResult
            {
                OrderId = Required(data, "orderId"),
                OrderNo = Optional(data, "orderNo"),
                Amount = OptionalAmount(data, "amount"),
                ActualAmount = LenientAmount(data, "actualAmount"),
                Fee = LenientAmount(data, "fee"),
                Status = CollectionStatusExtensions.TryParse(statusText, out var status) ? status : null,
                StatusText = statusText,
                PayTime = LenientPayTime(data),
                ErrorMsg = Optional(data, "errorMsg"),
                Currency = Optional(data, "currency"),
                Fields = data.Where(f => f.Key != CanonicalString.SignField).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
                SignatureVerified = verified,
            };
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<LivePaymentMethod>> GetPaymentConfigAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        const string endpoint = "common/payment/config";
        var started = Stopwatch.GetTimestamp();
        try
        {
            var current = await credentials.GetAsync(currency, cancellationToken).ConfigureAwait(false);
            var fields = new Dictionary<string, string?>
            {
                ["appId"] = current.AppId.ToString(CultureInfo.InvariantCulture),
                ["tranCode"] = "collect",
            };
            var responseBody = await PostAsync(endpoint, SignedBody(fields, current), cancellationToken).ConfigureAwait(false);
            var data = ReadEnvelope(responseBody, element => element.Clone());
            IReadOnlyList<LivePaymentMethod> methods;
            try
            {
                methods = PaymentConfigAnswer.ReadVerified(data, _signer, current.SecretKey, current.PlatformPublicKey);
            }
            catch (HaiPayTransientException ex) when (ex.Reason == TransientReason.InvalidSignature)
            {
                LogRefreshingCredentials(endpoint, currency.ToString());
                var fresh = await credentials.RefreshAsync(currency, cancellationToken).ConfigureAwait(false);
                methods = PaymentConfigAnswer.ReadVerified(data, _signer, fresh.SecretKey, fresh.PlatformPublicKey);
            }
            LogSucceeded(endpoint, currency.ToString(), true, ElapsedMs(started));
            return methods;
        }
        catch (HaiPayRejectedException ex)
        {
            LogRejected(endpoint, currency.ToString(), ex.Code, ElapsedMs(started));
            throw;
        }
        catch (HaiPayTransientException ex)
        {
            LogTransientFailure(ex, endpoint, currency.ToString(), ex.Reason, ElapsedMs(started));
            throw;
        }
    }

    private async Task<T> CallAsync<T>(
        Currency currency,
        string operation,
        string orderId,
        Func<long, IReadOnlyDictionary<string, string?>> buildFields,
        Func<IReadOnlyDictionary<string, string?>, bool, T> readData,
        CancellationToken cancellationToken)
    {
        var endpoint = $"{currency.ToPathSegment()}/{operation}";
        var started = Stopwatch.GetTimestamp();
        LogSending(endpoint, orderId);
        try
        {
            var current = await credentials.GetAsync(currency, cancellationToken).ConfigureAwait(false);
            var responseBody = await PostAsync(endpoint, SignedBody(buildFields(current.AppId), current), cancellationToken)
                .ConfigureAwait(false);
            var data = ReadEnvelope(responseBody);
            var verified = await VerifyAsync(currency, endpoint, orderId, data, current, cancellationToken).ConfigureAwait(false);
            var result = readData(data, verified);
            LogSucceeded(endpoint, orderId, verified, ElapsedMs(started));
            return result;
        }
        catch (HaiPayRejectedException ex)
        {
            LogRejected(endpoint, orderId, ex.Code, ElapsedMs(started));
            throw;
        }
        catch (HaiPayTransientException ex)
        {
            LogTransientFailure(ex, endpoint, orderId, ex.Reason, ElapsedMs(started));
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(endpoint, orderId, ElapsedMs(started));
            throw;
        }
    }

    /// <summary>The flat JSON body: non-null fields plus <c>sign</c>, appId as a number, the rest as strings.</summary>
    private string SignedBody(IReadOnlyDictionary<string, string?> fields, HaiPayCredentials current)
    {
        var present = fields.Where(f => f.Value is not null).ToList();
        var sign = _signer.Sign(present, current.SecretKey, current.MerchantPrivateKey);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in present)
            {
                if (name == "appId")
                {
                    writer.WriteNumber(name, current.AppId);
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }
            writer.WriteString(CanonicalString.SignField, sign);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One HTTP attempt, bounded by the attempt timeout; returns the body of a 2xx response.</summary>
    private async Task<string> PostAsync(string endpoint, string body, CancellationToken cancellationToken)
    {
        var url = new Uri(_options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + endpoint);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.AttemptTimeout > TimeSpan.Zero && _options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            attempt.CancelAfter(_options.AttemptTimeout);
        }
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(url, content, attempt.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HaiPayTransientException(TransientReason.ServerError,
                    $"HaiPay answered {endpoint} with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            return await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"The caller cancelled the HaiPay {endpoint} call.", ex, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException || IsTimeout(ex))
        {
            throw new HaiPayTransientException(TransientReason.Timeout, attempt.IsCancellationRequested
                ? $"HaiPay did not answer {endpoint} within the attempt timeout {_options.AttemptTimeout}."
                : $"HaiPay {endpoint} timed out ({ex.GetType().Name}).", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || IsResilienceRejection(ex))
        {
            throw new HaiPayTransientException(TransientReason.ConnectionError,
                $"Could not reach HaiPay for {endpoint}: {ex.Message}", ex);
        }
    }

    /// <summary>The verified-or-not <c>data</c> map of a <c>status 1</c> envelope; throws for <c>status 0</c> or a malformed body.</summary>
    private static Dictionary<string, string?> ReadEnvelope(string body) =>
        ReadEnvelope(body, dataElement => FlatJson.TryRead(dataElement, out var data, out var problem)
            ? data
            : throw Malformed($"data is not flat: {problem}"));

    /// <summary>What <paramref name="readData"/> makes of the <c>data</c> object of a <c>status 1</c> envelope.</summary>
    private static T ReadEnvelope<T>(string body, Func<JsonElement, T> readData)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new HaiPayTransientException(TransientReason.MalformedResponse, "HaiPay's response is not valid JSON.", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("the response is not a JSON object");
            }
            if (!root.TryGetProperty("status", out var statusElement))
            {
                throw Malformed("the response has no status");
            }
            switch (FlatJson.ScalarText(statusElement))
            {
                case "1":
                    break;
                case "0":
                    throw new HaiPayRejectedException(
                        Text(root, "error") is { Length: > 0 } code ? code : "unknown",
                        Text(root, "msg"));
                default:
                    throw Malformed($"the response status {statusElement.GetRawText()} is neither \"1\" nor \"0\"");
            }
            if (!root.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("the response has status 1 but no data object");
            }
            return readData(dataElement);
        }
    }

    /// <summary>
    /// Verifies <c>data.sign</c> with the platform key; on failure refreshes the credentials once (keys may have been
    /// rolled) and tries again. Returns false without checking when verification is switched off.
    /// </summary>
    private async Task<bool> VerifyAsync(
        Currency currency, string endpoint, string orderId, IReadOnlyDictionary<string, string?> data,
        HaiPayCredentials current, CancellationToken cancellationToken)
    {
        if (!_options.VerifyResponseSignatures)
        {
            return false;
        }
        if (_signer.VerifySigned(data, current.SecretKey, current.PlatformPublicKey))
        {
            return true;
        }
        LogRefreshingCredentials(endpoint, orderId);
        var fresh = await credentials.RefreshAsync(currency, cancellationToken).ConfigureAwait(false);
        if (_signer.VerifySigned(data, fresh.SecretKey, fresh.PlatformPublicKey))
        {
            return true;
        }
        throw new HaiPayTransientException(TransientReason.InvalidSignature,
            $"The signature of HaiPay's {endpoint} response data does not verify with the platform public key.");
    }

    private static void CheckOrderId(IReadOnlyDictionary<string, string?> data, string orderId)
    {
        var received = Required(data, "orderId");
        if (received != orderId)
        {
            throw Malformed($"data.orderId '{received}' is not the requested order '{orderId}'");
        }
    }

    private static string Required(IReadOnlyDictionary<string, string?> data, string name) =>
        Optional(data, name) ?? throw Malformed($"data.{name} is missing");

    private static string? Optional(IReadOnlyDictionary<string, string?> data, string name) =>
        data.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static decimal? OptionalAmount(IReadOnlyDictionary<string, string?> data, string name)
    {
        var text = Optional(data, name);
        if (text is null)
        {
            return null;
        }
        return HaiPayAmount.TryParseLenient(text, out var amount) ? amount : throw Malformed($"data.{name} '{text}' is not a decimal amount");
    }

    /// <summary>An amount that does not decide the status: null when absent or unreadable (the raw text stays in the fields).</summary>
    private static decimal? LenientAmount(IReadOnlyDictionary<string, string?> data, string name) =>
        HaiPayAmount.TryParseLenient(Optional(data, name), out var amount) ? amount : null;

    private DateTimeOffset? LenientPayTime(IReadOnlyDictionary<string, string?> data) =>
        ProviderTime.TryParse(Optional(data, "payTime"), _options.ProviderUtcOffset, out var payTime) ? payTime : null;

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var element) ? FlatJson.ScalarText(element) : null;

    private static HaiPayTransientException Malformed(string problem) =>
        new(TransientReason.MalformedResponse, $"HaiPay's response is malformed: {problem}.");

    /// <summary>A timeout anywhere in the chain: <see cref="TimeoutException"/> (HttpClient.Timeout) or Polly's TimeoutRejectedException.</summary>
    private static bool IsTimeout(Exception ex) =>
        Chain(ex).Any(e => e is TimeoutException || e.GetType().Name == "TimeoutRejectedException");

    /// <summary>A resilience pipeline refused the call (open circuit breaker, rate limiter): Polly's ExecutionRejectedException family.</summary>
    private static bool IsResilienceRejection(Exception ex) =>
        Chain(ex).Any(e => InheritanceChain(e.GetType()).Any(t => t.FullName == "Polly.ExecutionRejectedException"));

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static IEnumerable<Type> InheritanceChain(Type type)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            yield return t;
        }
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Debug, Message = "HaiPay {Endpoint} for order {OrderId}: sending")]
    private partial void LogSending(string endpoint, string orderId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "HaiPay {Endpoint} for order {OrderId}: succeeded (signature verified: {SignatureVerified}) in {ElapsedMs} ms")]
    private partial void LogSucceeded(string endpoint, string orderId, bool signatureVerified, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "HaiPay {Endpoint} for order {OrderId}: rejected with code {Code} in {ElapsedMs} ms")]
    private partial void LogRejected(string endpoint, string orderId, string code, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "HaiPay {Endpoint} for order {OrderId}: failed ({Reason}) in {ElapsedMs} ms")]
    private partial void LogTransientFailure(Exception exception, string endpoint, string orderId, TransientReason reason, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HaiPay {Endpoint} for order {OrderId}: cancelled by the caller after {ElapsedMs} ms")]
    private partial void LogCancelled(string endpoint, string orderId, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "HaiPay {Endpoint} for order {OrderId}: data signature did not verify; refreshing credentials and retrying once")]
    private partial void LogRefreshingCredentials(string endpoint, string orderId);
}
