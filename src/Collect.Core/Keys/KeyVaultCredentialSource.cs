using System.Collections.Concurrent;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Keys;

/// <summary>
/// HaiPay credentials from Azure Key Vault. Per currency the secrets <c>haipay-{ccy}-secret-key</c> and
/// <c>haipay-{ccy}-merchant-private-key</c>, and the optional <c>haipay-platform-public-key</c> (else
/// <c>HaiPay:Credentials:{CCY}:PlatformPublicKey</c> or <c>HaiPay:PlatformPublicKey</c>); the appId from
/// <c>HaiPay:Credentials:{CCY}:AppId</c>.
/// </summary>
/// <remarks>
/// Loaded credentials are cached in memory for <see cref="CollectOptions.KeyCacheTtl"/>, so a warm process makes no
/// Key Vault call per order. Concurrent callers of a cold currency share one load. <see cref="RefreshAsync"/> (after
/// a signature failed to verify) reloads at most once per <see cref="CollectOptions.KeyRefreshMinInterval"/>, so a
/// burst of bad signatures cannot storm the vault. Secret values are never logged.
/// </remarks>
public sealed partial class KeyVaultCredentialSource : IHaiPayCredentialSource
{
    public const string PlatformPublicKeySecret = "haipay-platform-public-key";

    private readonly SecretClient _secrets;
    private readonly IOptionsMonitor<HaiPayOptions> _haiPay;
    private readonly CollectOptions _options;
    private readonly TimeProvider _time;
    private readonly CollectMetrics _metrics;
    private readonly ILogger<KeyVaultCredentialSource> _logger;
    private readonly Dictionary<Currency, SemaphoreSlim> _loadGates = Enum.GetValues<Currency>().ToDictionary(c => c, _ => new SemaphoreSlim(1, 1));
    private readonly ConcurrentDictionary<Currency, Loaded> _cache = new();
    private long _secretReads;

    public KeyVaultCredentialSource(
        SecretClient secrets,
        IOptionsMonitor<HaiPayOptions> haiPay,
        IOptions<CollectOptions> options,
        TimeProvider time,
        CollectMetrics metrics,
        ILogger<KeyVaultCredentialSource> logger)
    {
        _metrics = metrics;
        _secrets = secrets;
        _haiPay = haiPay;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Secrets read from Key Vault by this instance so far (also the <c>collect.keyvault.secret_reads</c> metric).</summary>
    public long SecretReads => Interlocked.Read(ref _secretReads);

    public static string SecretKeySecret(Currency currency) => $"haipay-{currency.ToPathSegment()}-secret-key";

    public static string MerchantPrivateKeySecret(Currency currency) => $"haipay-{currency.ToPathSegment()}-merchant-private-key";

    public ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        return _cache.TryGetValue(currency, out var cached) && Age(cached) < _options.KeyCacheTtl
            ? ValueTask.FromResult(cached.Credentials)
            : new ValueTask<HaiPayCredentials>(LoadAsync(currency, forced: false, cancellationToken));
    }

    public ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default) =>
        new(LoadAsync(currency, forced: true, cancellationToken));

    private async Task<HaiPayCredentials> LoadAsync(Currency currency, bool forced, CancellationToken cancellationToken)
    {
        var gate = _loadGates[currency];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before may have loaded what this caller needs.
            if (_cache.TryGetValue(currency, out var cached))
            {
                var age = Age(cached);
                if (forced ? age < _options.KeyRefreshMinInterval : age < _options.KeyCacheTtl)
                {
                    return cached.Credentials;
                }
            }
            var credentials = await ReadFromVaultAsync(currency, cancellationToken).ConfigureAwait(false);
            _cache[currency] = new Loaded(credentials, _time.GetUtcNow());
            _metrics.KeysLoaded(TelemetryValues.KeyVault);
            LogLoaded(currency, forced);
            return credentials;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HaiPayCredentials> ReadFromVaultAsync(Currency currency, CancellationToken cancellationToken)
    {
        var haiPay = _haiPay.CurrentValue;
        var section = $"{HaiPayOptions.SectionName}:Credentials:{currency}";
        var settings = haiPay.Credentials.TryGetValue(currency.ToString(), out var configured) ? configured : null;
        if (settings is null || settings.AppId <= 0)
        {
            throw new InvalidOperationException($"{section}:AppId is not set (a positive integer is required).");
        }

        var secretKey = await ReadSecretAsync(SecretKeySecret(currency), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Key Vault has no secret {SecretKeySecret(currency)}.");
        var privateKeyText = await ReadSecretAsync(MerchantPrivateKeySecret(currency), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Key Vault has no secret {MerchantPrivateKeySecret(currency)}.");
        var platformKeyText = await ReadSecretAsync(PlatformPublicKeySecret, cancellationToken).ConfigureAwait(false)
            ?? (string.IsNullOrWhiteSpace(settings.PlatformPublicKey) ? haiPay.PlatformPublicKey : settings.PlatformPublicKey);
        if (string.IsNullOrWhiteSpace(platformKeyText))
        {
            throw new InvalidOperationException(
                $"No HaiPay platform public key: Key Vault has no secret {PlatformPublicKeySecret} and neither " +
                $"{section}:PlatformPublicKey nor {HaiPayOptions.SectionName}:PlatformPublicKey is set.");
        }

        // The credentials replaced here may still be in use by a concurrent call: they are left to the GC, not disposed.
        return HaiPayCredentials.Load(settings.AppId, secretKey,
            privateKeyText, $"Key Vault secret {MerchantPrivateKeySecret(currency)}", platformKeyText, "HaiPay platform public key");
    }

    /// <summary>The secret's current version, or null when the vault has no such secret.</summary>
    private async Task<string?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _secretReads);
        _metrics.KeyVaultSecretRead();
        try
        {
            var response = await _secrets.GetSecretAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Value.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private TimeSpan Age(Loaded loaded) => _time.GetUtcNow() - loaded.At;

    private sealed record Loaded(HaiPayCredentials Credentials, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded HaiPay {Currency} credentials from Key Vault (forced refresh: {Forced})")]
    private partial void LogLoaded(Currency currency, bool forced);
}
