using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Events;

/// <summary>How one delivery attempt ended.</summary>
public enum DeliveryResult
{
    /// <summary>2xx: done.</summary>
    Delivered,
    /// <summary>A later event of the order replaced this one: nothing was sent, nothing more will be.</summary>
    Superseded,
    /// <summary>Not delivered; the schedule decides whether there is another attempt.</summary>
    Retry,
    /// <summary>The last scheduled attempt failed: the event is listed as undelivered.</summary>
    GaveUp,
    /// <summary>Events are switched off (no webhook URL), or the event does not exist.</summary>
    Nothing,
}

/// <summary>Input of the delivery activity: which event, which attempt, and whether it is the schedule's last.</summary>
public sealed record DeliveryRequest(string OrderId, int Sequence, int Attempt, bool IsLast, string Kind);

/// <summary>
/// One delivery attempt of a storefront event: re-reads the order (an event a later status made stale is superseded,
/// never sent with old data), builds the body from the order as it is now, signs it, POSTs it with a short timeout and
/// records the attempt with the event's new state in one write. Any 2xx is delivered.
/// </summary>
/// <remarks>
/// Body: <c>{"id","type","createdAt","sequence","data":{the order's public view}}</c>. Events of one order are not
/// guaranteed to arrive in order: <c>sequence</c> and <c>data.updatedAt</c> let a receiver order them, and <c>id</c>
/// is stable across retries for deduplication.
/// </remarks>
public sealed partial class EventDelivery(
    OrderStore store,
    OrderIndex index,
    IStorefrontSecrets secrets,
    IHttpClientFactory http,
    IOptions<EventOptions> options,
    TimeProvider time,
    CollectMetrics metrics,
    ILogger<EventDelivery> logger)
{
    /// <summary>The named HttpClient deliveries use (no retries of its own: the schedule is the retry).</summary>
    public const string HttpClientName = "storefront-events";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public Task<DeliveryResult> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken = default) =>
        DeliverAsync(request, written: null, cancellationToken);

    /// <summary>
    /// As <see cref="DeliverAsync(DeliveryRequest, CancellationToken)"/>; <paramref name="written"/> is the event as its
    /// writer has just written it (the first attempt), so it is not read again. The order always is.
    /// </summary>
    public async Task<DeliveryResult> DeliverAsync(DeliveryRequest request, OrderEvent? written, CancellationToken cancellationToken = default)
    {
        using var scope = logger.BeginOrderScope(request.OrderId);
        using var span = CollectTelemetry.StartSpan(CollectTelemetry.Spans.EventDelivery, request.OrderId);
        span?.SetTag(CollectTelemetry.EventSequenceAttribute, request.Sequence);
        span?.SetTag(CollectTelemetry.AttemptAttribute, request.Attempt);
        var settings = options.Value;
        var order = await store.GetAsync(request.OrderId, cancellationToken).ConfigureAwait(false);
        var orderEvent = written ?? await store.GetEventAsync(request.OrderId, request.Sequence, cancellationToken).ConfigureAwait(false);
        if (!settings.Enabled || order is null || orderEvent is null)
        {
            return DeliveryResult.Nothing;
        }
        if (orderEvent.State is EventState.Delivered or EventState.Superseded)
        {
            return orderEvent.State == EventState.Delivered ? DeliveryResult.Delivered : DeliveryResult.Superseded;
        }
        if (order.EventSequence > orderEvent.Sequence)
        {
            await store.SaveEventAsync(orderEvent with { State = EventState.Superseded, LastResult = $"superseded by event {order.EventSequence}" },
                null, cancellationToken).ConfigureAwait(false);
            await RemoveFromUndeliveredAsync(orderEvent, cancellationToken).ConfigureAwait(false);
            LogSuperseded(orderEvent.Id, order.EventSequence);
            return DeliveryResult.Superseded;
        }

        var body = JsonSerializer.Serialize(new StorefrontEventBody(orderEvent.Id, orderEvent.Type, orderEvent.CreatedAt, orderEvent.Sequence,
            OrderView.From(order)), Json);
        var now = time.GetUtcNow();
        var (signature, error) = await SignAsync(now.ToUnixTimeSeconds(), body, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        if (signature is not null)
        {
            (status, error) = await SendAsync(body, signature, orderEvent.Id, settings, cancellationToken).ConfigureAwait(false);
        }
        var duration = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var delivered = status is >= 200 and < 300;
        var result = delivered ? DeliveryResult.Delivered : request.IsLast ? DeliveryResult.GaveUp : DeliveryResult.Retry;
        var next = orderEvent with
        {
            State = result switch
            {
                DeliveryResult.Delivered => EventState.Delivered,
                DeliveryResult.GaveUp => EventState.Failed,
                _ => EventState.Pending,
            },
            Attempts = Math.Max(orderEvent.Attempts, request.Attempt),
            LastAttemptAt = now,
            LastResult = status is { } code ? $"HTTP {code}" : error,
            DeliveredAt = delivered ? now : orderEvent.DeliveredAt,
        };
        await store.SaveEventAsync(next, new EventAttempt
        {
            OrderId = request.OrderId,
            Sequence = request.Sequence,
            Attempt = request.Attempt,
            At = now,
            Kind = request.Kind,
            HttpStatus = status,
            Error = error,
            DurationMs = duration,
        }, cancellationToken).ConfigureAwait(false);
        if (result == DeliveryResult.GaveUp)
        {
            await index.AddUndeliveredAsync(next, cancellationToken).ConfigureAwait(false);
        }
        else if (delivered)
        {
            await RemoveFromUndeliveredAsync(orderEvent, cancellationToken).ConfigureAwait(false);
        }
        metrics.EventDelivered(result switch
        {
            DeliveryResult.Delivered => TelemetryValues.Delivered,
            DeliveryResult.GaveUp => TelemetryValues.Abandoned,
            _ => TelemetryValues.Failed,
        }, request.Attempt);
        if (!delivered)
        {
            span?.SetStatus(ActivityStatusCode.Error, next.LastResult);
        }
        LogAttempt(orderEvent.Id, request.Attempt, next.LastResult ?? "", result, duration);
        return result;
    }

    /// <summary>Only an event that had given up is on the undelivered list (no delete request for the others).</summary>
    private Task RemoveFromUndeliveredAsync(OrderEvent before, CancellationToken cancellationToken) =>
        before.State == EventState.Failed ? index.RemoveUndeliveredAsync(before, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// The signature header, or why there is none: an event is never sent unsigned, so a missing or unreadable secret
    /// is a failed attempt and the delivery schedule goes on (to undelivered after the last attempt).
    /// </summary>
    private async Task<(string? Signature, string? Error)> SignAsync(long timestamp, string body, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> keys;
        try
        {
            keys = await secrets.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSecretUnavailable(ex.GetType().Name);
            return (null, $"signing secret unavailable ({ex.GetType().Name})");
        }
        return keys.Count > 0 ? (EventSignature.Sign(timestamp, body, keys), null) : (null, "no signing secret is configured");
    }

    /// <summary>One POST with the attempt timeout: the HTTP status, or why there is none.</summary>
    private async Task<(int? Status, string? Error)> SendAsync(
        string body, string signature, string eventId, EventOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            using var attempt = new CancellationTokenSource(settings.AttemptTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token, cancellationToken);
            using var message = new HttpRequestMessage(HttpMethod.Post, settings.WebhookUrl)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            message.Headers.TryAddWithoutValidation(EventSignature.Header, signature);
            message.Headers.TryAddWithoutValidation("Collect-Event-Id", eventId);
            using var response = await http.CreateClient(HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token)
                .ConfigureAwait(false);
            return ((int)response.StatusCode, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {settings.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.HttpRequestError.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The storefront signing secret could not be read ({ErrorType}); storefront events are not sent until it can")]
    private partial void LogSecretUnavailable(string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storefront event {EventId}: attempt {Attempt} → {Result} ({Outcome}) in {DurationMs} ms")]
    private partial void LogAttempt(string eventId, int attempt, string result, DeliveryResult outcome, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storefront event {EventId} superseded by event {Latest}: not sent")]
    private partial void LogSuperseded(string eventId, int latest);
}

/// <summary>The body of a storefront event: <c>data</c> is the order's public view as it is at delivery time.</summary>
public sealed record StorefrontEventBody(string Id, string Type, DateTimeOffset CreatedAt, int Sequence, OrderView Data);
