using System.Diagnostics;
using HaiPay;
using HaiPay.Catalogue;
using HaiPay.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Telemetry;

/// <summary>
/// Counts and times every HaiPay call (<c>collect.haipay.calls</c>, <c>collect.haipay.call.duration</c>) around the
/// registered <see cref="IHaiPayClient"/>, classified the way the client reports them: an answer is
/// <c>accepted</c>, <see cref="HaiPayRejectedException"/> (HaiPay's status 0) <c>rejected</c>,
/// <see cref="HaiPayTransientException"/> (timeout, connection, 5xx, malformed or unverified answer) <c>transient</c>.
/// A call the caller cancelled, or one that never left (its keys could not be loaded), is not counted: HaiPay was not
/// asked, and <c>collect.keys.loads</c> and the health check cover the keys.
/// </summary>
public sealed class MeteredHaiPayClient(IHaiPayClient inner, CollectMetrics metrics) : IHaiPayClient
{
    public Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, CancellationToken cancellationToken = default) =>
        MeasureAsync(TelemetryValues.Apply, () => inner.ApplyAsync(currency, request, cancellationToken));

    public Task<IReadOnlyList<LivePaymentMethod>> GetPaymentConfigAsync(Currency currency, CancellationToken cancellationToken = default) =>
        MeasureAsync(TelemetryValues.PaymentConfig, () => inner.GetPaymentConfigAsync(currency, cancellationToken));

    public Task<QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default) =>
        MeasureAsync(TelemetryValues.Query, () => inner.QueryAsync(currency, orderId, orderNo, cancellationToken));

    private async Task<T> MeasureAsync<T>(string endpoint, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            metrics.HaiPayCall(endpoint, TelemetryValues.Accepted, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (HaiPayRejectedException)
        {
            metrics.HaiPayCall(endpoint, TelemetryValues.Rejected, Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (HaiPayTransientException)
        {
            metrics.HaiPayCall(endpoint, TelemetryValues.Transient, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>Wraps the <see cref="IHaiPayClient"/> registered last (the typed HttpClient) in this meter.</summary>
    internal static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IHaiPayClient))
            ?? throw new InvalidOperationException("No IHaiPayClient is registered: call AddHaiPayClient first.");
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IHaiPayClient), sp => new MeteredHaiPayClient(registered switch
        {
            { ImplementationInstance: IHaiPayClient instance } => instance,
            { ImplementationFactory: { } factory } => (IHaiPayClient)factory(sp),
            _ => (IHaiPayClient)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
        }, sp.GetRequiredService<CollectMetrics>()), registered.Lifetime));
    }
}
