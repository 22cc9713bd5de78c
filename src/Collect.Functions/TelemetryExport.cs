using Azure.Monitor.OpenTelemetry.Exporter;
using Collect.Core;
using Collect.Core.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;

namespace Collect.Functions;

/// <summary>
/// The worker's traces, metrics and logs to Application Insights through OpenTelemetry (host.json
/// <c>telemetryMode: OpenTelemetry</c> makes the host do the same and hand its trace context to the worker). Ingestion
/// is Entra ID only (the component has local auth disabled): the exporter signs in as the app's user-assigned identity.
/// Without <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> (Core Tools on a laptop) nothing is exported.
/// </summary>
public static class TelemetryExport
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Traces kept per second per instance (rate-limited sampling, whole traces); metrics are never sampled.</summary>
    public const string TracesPerSecondSetting = "Telemetry:TracesPerSecond";
    public const double DefaultTracesPerSecond = 5;

    /// <summary>Service name the worker's telemetry carries (cloud role name in Application Insights).</summary>
    public const string ServiceName = "collect-functions";

    /// <summary>The worker's log levels (<see cref="TelemetryRegistration.WorkerLogLevels"/>), then the export.</summary>
    public static FunctionsApplicationBuilder AddCollectTelemetryExport(this FunctionsApplicationBuilder builder)
    {
        builder.Logging.AddWorkerLogLevels(builder.Configuration);
        var connectionString = builder.Configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }
        var tracesPerSecond = builder.Configuration.GetValue(TracesPerSecondSetting, DefaultTracesPerSecond);
        if (!(tracesPerSecond > 0) || double.IsInfinity(tracesPerSecond))
        {
            throw new InvalidOperationException($"{TracesPerSecondSetting} must be a positive number of traces per second (was {tracesPerSecond}).");
        }
        builder.Services.AddCollectTelemetry(ServiceName)
            .UseFunctionsWorkerDefaults()
            .UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                exporter.TracesPerSecond = tracesPerSecond;
                // A warning or error is exported even when its trace was sampled out.
                exporter.EnableTraceBasedLogsSampler = false;
                exporter.Credential = CollectCoreServiceCollectionExtensions.AppCredential(builder.Configuration);
            });
        return builder;
    }
}
