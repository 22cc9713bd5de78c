using Collect.Core.Storage;
using HaiPay;
using HaiPay.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>
/// <c>GET /api/health</c>: whether this instance can do its work — reach its orders table and load the HaiPay
/// credentials of every configured currency (from Key Vault, or configuration locally). 200 with
/// <c>"status": "Healthy"</c>, else 503; each check is named with its result, never with an error message, a key, an
/// account or an endpoint. The smoke probe after a deploy and a load balancer's health check call it.
/// </summary>
/// <remarks>
/// It is anonymous, so one result serves every caller for <see cref="CacheFor"/>: a flood costs at most one table read
/// and one (cached) key load per currency per instance per 15 s. The checks run without the caller's cancellation,
/// so an aborted request never poisons the shared result; each is bounded by <see cref="CheckTimeout"/>.
/// </remarks>
public sealed partial class ServiceHealth(
    OrderStore store,
    IHaiPayCredentialSource credentials,
    IOptionsMonitor<HaiPayOptions> haiPay,
    TimeProvider time,
    ILogger<ServiceHealth> logger)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public const string Healthy = "Healthy";
    public const string Unhealthy = "Unhealthy";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private HealthReport? _last;

    /// <summary>One run of the checks: the overall result and each check's.</summary>
    public sealed record HealthReport(bool IsHealthy, IReadOnlyDictionary<string, string> Checks, DateTimeOffset CheckedAt)
    {
        public string Status => IsHealthy ? Healthy : Unhealthy;
    }

    public async Task<IResult> GetAsync(CancellationToken cancellationToken)
    {
        var report = await CheckAsync(cancellationToken).ConfigureAwait(false);
        return new NoStore(Results.Json(
            new { status = report.Status, checks = report.Checks, checkedAt = report.CheckedAt },
            statusCode: report.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable));
    }

    /// <summary>A result no cache or proxy keeps: every probe sees this instance's answer.</summary>
    private sealed class NoStore(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.CacheControl = "no-store";
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>The last result when it is younger than <see cref="CacheFor"/>, else a new run (one at a time).</summary>
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh(_last) is { } cached)
        {
            return cached;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Fresh(_last) ?? (_last = await RunAsync().ConfigureAwait(false));
        }
        finally
        {
            _gate.Release();
        }
    }

    private HealthReport? Fresh(HealthReport? report) =>
        report is not null && time.GetUtcNow() - report.CheckedAt < CacheFor ? report : null;

    private async Task<HealthReport> RunAsync()
    {
        var checks = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["storage"] = await RunCheckAsync("storage", ct => new ValueTask(store.ProbeAsync(ct))).ConfigureAwait(false),
        };
        var currencies = ConfiguredCurrencies();
        if (currencies.Count == 0)
        {
            checks["keys"] = Unhealthy;
            LogNoCurrency();
        }
        foreach (var currency in currencies)
        {
            var name = $"keys.{currency}";
            checks[name] = await RunCheckAsync(name, async ct => await credentials.GetAsync(currency, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        return new HealthReport(checks.Values.All(result => result == Healthy), checks, time.GetUtcNow());
    }

    /// <summary>The currencies with an appId: the ones this deployment takes orders in.</summary>
    private List<Currency> ConfiguredCurrencies() =>
        [.. Enum.GetValues<Currency>().Where(currency =>
            haiPay.CurrentValue.Credentials.TryGetValue(currency.ToString(), out var options) && options.AppId > 0)];

    private async Task<string> RunCheckAsync(string name, Func<CancellationToken, ValueTask> check)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            await check(timeout.Token).ConfigureAwait(false);
            return Healthy;
        }
        catch (Exception ex)
        {
            // Logged for operators; the answer itself says only which check failed.
            LogCheckFailed(name, ex);
            return Unhealthy;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} failed")]
    private partial void LogCheckFailed(string check, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check keys failed: no currency has a HaiPay appId")]
    private partial void LogNoCurrency();
}
