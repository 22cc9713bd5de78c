using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Collect.Core.Telemetry;

/// <summary>The product's meter and the log scope every order-related operation runs in.</summary>
public static class CollectTelemetry
{
    /// <summary>Name of the meter (for OpenTelemetry / Application Insights metric collection).</summary>
    public const string MeterName = "Collect.Core";

    internal static readonly Meter Meter = new(MeterName);

    /// <summary>Secrets read from Key Vault (the benchmark divides it by orders processed).</summary>
    internal static readonly Counter<long> KeyVaultSecretReads =
        Meter.CreateCounter<long>("collect.keyvault.secret_reads", description: "Secrets read from Key Vault");

    /// <summary>A log scope carrying <c>orderId</c>, so every line of one order's work can be found together.</summary>
    public static IDisposable? BeginOrderScope(this ILogger logger, string? orderId) =>
        logger.BeginScope(new Dictionary<string, object?> { ["orderId"] = orderId });
}
