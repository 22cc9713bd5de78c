using Microsoft.Extensions.Options;

namespace HaiPay.Client;

/// <summary>
/// Credentials straight from configuration (<c>HaiPay:Credentials:{HKD|USD}</c>, <c>HaiPay:PlatformPublicKey</c>).
/// For local runs against the sandbox and for tests; production reads secrets from Key Vault.
/// </summary>
public sealed class ConfiguredCredentialSource(IOptionsMonitor<HaiPayOptions> options) : IHaiPayCredentialSource
{
    public ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
