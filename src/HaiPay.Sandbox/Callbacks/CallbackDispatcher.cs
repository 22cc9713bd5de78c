using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using HaiPay.Sandbox.Wire;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Callbacks;

/// <summary>
/// Delivers signed callbacks to notifyUrl in the background: an in-memory queue read by a few workers. A delivery
/// succeeds only on HTTP 200 with the body exactly <c>SUCCESS</c>; otherwise it is retried every
/// <see cref="SandboxOptions.CallbackRetryInterval"/>, at most <see cref="SandboxOptions.CallbackRetryCount"/> times.
/// Publishing never blocks the caller.
/// </summary>
internal sealed class CallbackDispatcher : BackgroundService
{
    private const int Workers = 4;
    private const string Acknowledgement = "SUCCESS";

    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = false });
    private readonly SandboxState _state;
    private readonly SandboxScheduler _scheduler;
    private readonly HaiPayEnvelope _envelope;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CallbackDispatcher> _logger;
    private readonly HttpClient _http;

    public CallbackDispatcher(
        SandboxState state, SandboxScheduler scheduler, HaiPayEnvelope envelope, IOptions<SandboxOptions> options,
        TimeProvider time, ILogger<CallbackDispatcher> logger)
    {
        _state = state;
        _scheduler = scheduler;
        _envelope = envelope;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), AllowAutoRedirect = false })
        {
            Timeout = _options.CallbackTimeout,
        };
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    /// <summary>Queues the callbacks of a final transition as <paramref name="behaviour"/> says.</summary>
    internal void Publish(CallbackNotice notice, CallbackBehaviour behaviour)
    {
        if (notice.NotifyUrl is null)
        {
            return;
        }
        if (behaviour.Drop)
        {
            _state.Counters.CallbackDropped(notice.OrderId);
            return;
        }
        var generation = _state.Generation;
        Delivery? followUp = behaviour.Reorder switch
        {
            CallbackReorder.Stale => NewDelivery(notice.Stale(), generation, null),
            CallbackReorder.Contradicting => NewDelivery(notice.Contradicting(_time.GetUtcNow(), _options.FeePercent), generation, null),
            _ => null,
        };
        var primary = NewDelivery(notice, generation, followUp);
        Enqueue(primary, behaviour.Delay);
        for (var copy = 1; copy < behaviour.Copies; copy++)
        {
            Enqueue(primary with { FollowUp = null }, behaviour.Delay);
        }
    }

    /// <summary>Queues one more delivery of a final callback, now.</summary>
    internal void Resend(CallbackNotice notice) => Enqueue(NewDelivery(notice, _state.Generation, null), TimeSpan.Zero);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (!delivery.Generation.IsCancellationRequested)
                {
                    await DeliverAsync(delivery, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        _state.Counters.CallbackSent(delivery.OrderId);
        var acknowledged = false;
        string outcome;
        try
        {
            using var content = new ByteArrayContent(delivery.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await _http.PostAsync(delivery.Url, content, stoppingToken);
            var body = await response.Content.ReadAsStringAsync(stoppingToken);
            acknowledged = response.StatusCode == HttpStatusCode.OK && body == Acknowledgement;
            outcome = $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            outcome = ex.GetType().Name;
        }

        if (acknowledged)
        {
            _state.Counters.CallbackAcknowledged(delivery.OrderId);
            _logger.LogDebug("Callback for order {OrderNo} acknowledged on attempt {Attempt}.", delivery.OrderNo, delivery.Attempt);
        }
        else if (delivery.Attempt <= _options.CallbackRetryCount)
        {
            _logger.LogDebug("Callback for order {OrderNo} attempt {Attempt} not acknowledged ({Outcome}); retrying in {Interval}.",
                delivery.OrderNo, delivery.Attempt, outcome, _options.CallbackRetryInterval);
            Enqueue(delivery with { Attempt = delivery.Attempt + 1, FollowUp = null }, _options.CallbackRetryInterval);
        }
        else
        {
            _state.Counters.CallbackAbandoned(delivery.OrderId);
            _logger.LogWarning("Callback for order {OrderNo} abandoned after {Attempts} attempts (last: {Outcome}).",
                delivery.OrderNo, delivery.Attempt, outcome);
        }
        if (delivery.FollowUp is { } followUp)
        {
            Enqueue(followUp, TimeSpan.Zero);
        }
    }

    private Delivery NewDelivery(CallbackNotice notice, CancellationToken generation, Delivery? followUp) => new(
        notice.OrderId,
        notice.OrderNo,
        notice.NotifyUrl!,
        _envelope.SignedObject(notice.Currency, notice.Fields(_options.ProviderUtcOffset)),
        Attempt: 1,
        followUp,
        generation);

    private void Enqueue(Delivery delivery, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            _queue.Writer.TryWrite(delivery);
        }
        else
        {
            _scheduler.After(delay, () => _queue.Writer.TryWrite(delivery));
        }
    }

    /// <summary>One HTTP attempt to make; <see cref="FollowUp"/> is queued after it, whatever its outcome.</summary>
    private sealed record Delivery(
        string OrderId, string OrderNo, string Url, byte[] Body, int Attempt, Delivery? FollowUp, CancellationToken Generation);
}
