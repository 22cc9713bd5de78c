using Collect.Core.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Collect.LocalRunner;

/// <summary>Where the runner sends its telemetry: <c>Telemetry:Exporter</c>.</summary>
public enum TelemetryExporter
{
    /// <summary>Nothing is collected (the default: no listener, no cost).</summary>
    None,

    /// <summary>Spans, metrics and logs written to standard output by OpenTelemetry's console exporter.</summary>
    Console,

    /// <summary>OTLP to <c>Telemetry:OtlpEndpoint</c> (or the standard <c>OTEL_EXPORTER_OTLP_*</c> variables).</summary>
    Otlp,
}

/// <summary>
/// The runner's OpenTelemetry: the same sources, meters and outbound-HTTP rule as the Functions app
/// (<see cref="TelemetryRegistration.AddCollectTelemetry"/>), plus its own inbound requests on the product's routes, to
/// the exporter <c>Telemetry:Exporter</c> names.
/// </summary>
public static class TelemetryExport
{
    public const string ExporterSetting = "Telemetry:Exporter";
    public const string OtlpEndpointSetting = "Telemetry:OtlpEndpoint";
    public const string ServiceName = "collect-local-runner";

    /// <summary>Reads <c>Telemetry:Exporter</c> (case-insensitive; absent is <see cref="TelemetryExporter.None"/>).</summary>
    public static TelemetryExporter Exporter(IConfiguration configuration)
    {
        var value = configuration[ExporterSetting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return TelemetryExporter.None;
        }
        return Enum.TryParse<TelemetryExporter>(value, ignoreCase: true, out var exporter) && Enum.IsDefined(exporter)
            ? exporter
            : throw new InvalidOperationException($"{ExporterSetting} must be none, console or otlp (was '{value}').");
    }

    /// <summary>The worker's log levels (<see cref="TelemetryRegistration.WorkerLogLevels"/>), then the export.</summary>
    public static WebApplicationBuilder AddCollectTelemetryExport(this WebApplicationBuilder builder)
    {
        builder.Logging.AddWorkerLogLevels(builder.Configuration);
        var exporter = Exporter(builder.Configuration);
        if (exporter == TelemetryExporter.None)
        {
            return builder;
        }
        var otlpEndpoint = builder.Configuration[OtlpEndpointSetting];
        builder.Services.AddCollectTelemetry(ServiceName)
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => IsProductRoute(context.Request.Path));
                if (exporter == TelemetryExporter.Console)
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter(otlp => UseEndpoint(otlp, otlpEndpoint));
                }
            })
            .WithMetrics(metrics =>
            {
                if (exporter == TelemetryExporter.Console)
                {
                    metrics.AddConsoleExporter();
                }
                else
                {
                    metrics.AddOtlpExporter(otlp => UseEndpoint(otlp, otlpEndpoint));
                }
            })
            .WithLogging(logging =>
            {
                if (exporter == TelemetryExporter.Console)
                {
                    logging.AddConsoleExporter();
                }
                else
                {
                    logging.AddOtlpExporter(otlp => UseEndpoint(otlp, otlpEndpoint));
                }
            });
        return builder;
    }

    /// <summary>The product's own routes (<c>/api/…</c>); health probes, the runner's diagnostics and the engine's gRPC are not traced.</summary>
    public static bool IsProductRoute(PathString path) => path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static void UseEndpoint(OtlpExporterOptions options, string? endpoint)
    {
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            options.Endpoint = new Uri(endpoint);
        }
    }
}
