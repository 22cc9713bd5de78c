using System.Collections.Concurrent;
using HaiPay.Signing;
using Microsoft.Extensions.Options;

namespace HaiPay.Client;

/// <summary>
/// Credentials straight from configuration (<c>HaiPay:Credentials:{HKD|USD}</c>, <c>HaiPay:PlatformPublicKey</c>).
/// For local runs against the sandbox and for tests; production reads secrets from Key Vault.
/// </summary>
/// <remarks>
/// The parsed keys are cached per currency and rebuilt when the options change (a new
/// <see cref="IOptionsMonitor{TOptions}.CurrentValue"/>) or on <see cref="RefreshAsync"/>. A missing setting throws
/// <see cref="InvalidOperationException"/> naming it; an unreadable key throws <see cref="KeyFormatException"/>
/// naming the setting. Neither message contains a value.
/// </remarks>
public sealed class ConfiguredCredentialSource(IOptionsMonitor<HaiPayOptions> options, ICredentialLoadObserver? observer = null)
    : IHaiPayCredentialSource
{
    private readonly ConcurrentDictionary<Currency, CachedCredentials> _cache = new();

    public ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        var current = options.CurrentValue;
        return ValueTask.FromResult(
            _cache.TryGetValue(currency, out var cached) && ReferenceEquals(cached.Source, current)
                ? cached.Credentials
                : Load(currency, current));
    }

    public ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Load(currency, options.CurrentValue));

    private HaiPayCredentials Load(Currency currency, HaiPayOptions source)
    {
        var credentials = Build(currency, source);
        _cache[currency] = new CachedCredentials(source, credentials);
        observer?.Loaded(currency);
        return credentials;
    }

    private static HaiPayCredentials Build(Currency currency, HaiPayOptions source)
    {
        var section = $"{HaiPayOptions.SectionName}:Credentials:{currency}";
        var settings = source.Credentials
            .FirstOrDefault(c => string.Equals(c.Key, currency.ToString(), StringComparison.OrdinalIgnoreCase)).Value
            ?? throw new InvalidOperationException(
                $"{section} is not configured: set {section}:AppId, :SecretKey, :MerchantPrivateKey and :PlatformPublicKey.");
        if (settings.AppId <= 0)
        {
            throw new InvalidOperationException($"{section}:AppId is not set (a positive integer is required).");
        }
        if (string.IsNullOrWhiteSpace(settings.SecretKey))
        {
            throw new InvalidOperationException($"{section}:SecretKey is not set.");
        }
        if (string.IsNullOrWhiteSpace(settings.MerchantPrivateKey))
        {
            throw new InvalidOperationException($"{section}:MerchantPrivateKey is not set.");
        }
        var (platformKey, platformSetting) = string.IsNullOrWhiteSpace(settings.PlatformPublicKey)
            ? (source.PlatformPublicKey, $"{HaiPayOptions.SectionName}:PlatformPublicKey")
            : (settings.PlatformPublicKey, $"{section}:PlatformPublicKey");
        if (string.IsNullOrWhiteSpace(platformKey))
        {
            throw new InvalidOperationException(
                $"Neither {section}:PlatformPublicKey nor {HaiPayOptions.SectionName}:PlatformPublicKey is set.");
        }
        return HaiPayCredentials.Load(settings.AppId, settings.SecretKey,
            settings.MerchantPrivateKey, $"{section}:MerchantPrivateKey", platformKey, platformSetting);
    }

    private sealed record CachedCredentials(HaiPayOptions Source, HaiPayCredentials Credentials);
}

/// <summary>Told each time a credential source parses a currency's keys from its store (a cache answer is not a load).</summary>
public interface ICredentialLoadObserver
{
    void Loaded(Currency currency);
}
