using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;

namespace Collect.Core.Keys;

/// <summary>Counts the keys <see cref="ConfiguredCredentialSource"/> parses from configuration as <c>collect.keys.loads</c> (source configuration).</summary>
public sealed class ConfiguredKeyLoads(CollectMetrics metrics) : ICredentialLoadObserver
{
    public void Loaded(Currency currency) => metrics.KeysLoaded(TelemetryValues.Configuration);
}
