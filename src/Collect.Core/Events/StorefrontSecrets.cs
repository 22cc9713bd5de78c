using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;

namespace Collect.Core.Events;

/// <summary>The secrets storefront events are signed with: the current one first, then the one being rotated out.</summary>
public interface IStorefrontSecrets
{
    ValueTask<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken = default);
}

/// <summary>Secrets from configuration (<c>Events:SigningSecret</c>, <c>Events:PreviousSigningSecret</c>): local runs.</summary>
public sealed class ConfiguredStorefrontSecrets(IOptions<EventOptions> options) : IStorefrontSecrets
{
    public ValueTask<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(
            new[] { options.Value.SigningSecret, options.Value.PreviousSigningSecret }.OfType<string>().Where(s => s.Length > 0).ToList());
}

/// <summary>
/// Secrets from Key Vault: <c>storefront-webhook-secret</c> and, while rotating, <c>storefront-webhook-secret-previous</c>;
/// cached for <see cref="CollectOptions.KeyCacheTtl"/>. Values are never logged.
/// </summary>
public sealed class KeyVaultStorefrontSecrets(SecretClient secrets, IOptions<CollectOptions> options, TimeProvider time) : IStorefrontSecrets
{
    public const string CurrentSecret = "storefront-webhook-secret";
    public const string PreviousSecret = "storefront-webhook-secret-previous";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (IReadOnlyList<string> Values, DateTimeOffset At)? _cached;

    public async ValueTask<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_cached is { } hit && time.GetUtcNow() - hit.At < options.Value.KeyCacheTtl)
        {
            return hit.Values;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && time.GetUtcNow() - again.At < options.Value.KeyCacheTtl)
            {
                return again.Values;
            }
            var values = new List<string>();
            foreach (var name in new[] { CurrentSecret, PreviousSecret })
            {
                try
                {
                    var secret = await secrets.GetSecretAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (!string.IsNullOrEmpty(secret.Value.Value))
                    {
                        values.Add(secret.Value.Value);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404 && name == PreviousSecret)
                {
                }
            }
            _cached = (values, time.GetUtcNow());
            return values;
        }
        finally
        {
            _gate.Release();
        }
    }
}
