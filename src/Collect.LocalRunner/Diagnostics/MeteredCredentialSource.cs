using System.Net;
using System.Runtime.CompilerServices;
using Collect.Core.Keys;
using HaiPay;
using HaiPay.Client;

namespace Collect.LocalRunner.Diagnostics;

/// <summary>
/// Counts what the product asks of its HaiPay key source, around whichever source is registered (keys from
/// configuration locally, <see cref="KeyVaultCredentialSource"/> with a vault): <see cref="Gets"/> (every signing or
/// verification asks), <see cref="Refreshes"/> (after a failed verification) and <see cref="Loads"/> — answers that are
/// credentials not seen before, i.e. the source went back to its store (parsed configuration, read Key Vault) instead
/// of its cache. The benchmark divides them by orders.
/// </summary>
public sealed class MeteredCredentialSource(IHaiPayCredentialSource inner) : IHaiPayCredentialSource
{
    private readonly ConditionalWeakTable<HaiPayCredentials, object> _seen = [];
    private long _gets;
    private long _refreshes;
    private long _loads;

    public long Gets => Interlocked.Read(ref _gets);

    public long Refreshes => Interlocked.Read(ref _refreshes);

    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>Secrets read from Key Vault (null when the keys come from configuration).</summary>
    public long? KeyVaultSecretReads => (inner as KeyVaultCredentialSource)?.SecretReads;

    public async ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        return Seen(await inner.GetAsync(currency, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _refreshes);
        return Seen(await inner.RefreshAsync(currency, cancellationToken).ConfigureAwait(false));
    }

    private HaiPayCredentials Seen(HaiPayCredentials credentials)
    {
        if (_seen.TryAdd(credentials, credentials))
        {
            Interlocked.Increment(ref _loads);
        }
        return credentials;
    }
}

public static class MeteredCredentialSourceExtensions
{
    /// <summary>Wraps the registered <see cref="IHaiPayCredentialSource"/> in a <see cref="MeteredCredentialSource"/>. Call after AddCollectCore.</summary>
    public static IServiceCollection AddCredentialSourceMeter(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IHaiPayCredentialSource))
            ?? throw new InvalidOperationException("No IHaiPayCredentialSource is registered: call AddCollectCore first.");
        services.Remove(registered);
        services.AddSingleton(sp => new MeteredCredentialSource(registered switch
        {
            { ImplementationInstance: IHaiPayCredentialSource instance } => instance,
            { ImplementationFactory: { } factory } => (IHaiPayCredentialSource)factory(sp),
            _ => (IHaiPayCredentialSource)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
        }));
        services.AddSingleton<IHaiPayCredentialSource>(sp => sp.GetRequiredService<MeteredCredentialSource>());
        return services;
    }

    /// <summary><c>GET /_runner/key-source</c> (loopback callers only): the counts of <see cref="MeteredCredentialSource"/>.</summary>
    public static IEndpointRouteBuilder MapCredentialSourceMeter(this IEndpointRouteBuilder app)
    {
        app.MapGet("/_runner/key-source", (HttpContext http, MeteredCredentialSource meter) =>
            http.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote)
                ? Results.Problem("Loopback callers only.", statusCode: StatusCodes.Status403Forbidden)
                : Results.Ok(new { gets = meter.Gets, refreshes = meter.Refreshes, loads = meter.Loads, keyVaultSecretReads = meter.KeyVaultSecretReads }));
        return app;
    }
}
