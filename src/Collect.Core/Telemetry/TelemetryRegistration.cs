using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Collect.Core.Telemetry;

/// <summary>
/// What both hosts export and how loud the worker's own logs are: one registration, so the Functions app and the local
/// runner cannot drift. Each host adds only its exporter (Azure Monitor; console or OTLP) and its inbound instrumentation.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>
    /// The worker's log levels by category, applied in code because host.json's <c>logging.logLevel</c> governs the
    /// Functions host, not the isolated worker. A <c>Logging:LogLevel:{category}</c> setting overrides an entry (an app
    /// setting <c>Logging__LogLevel__Azure.Core=Information</c>, for instance), so an operator can raise one without a deploy.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> WorkerLogLevels = new Dictionary<string, LogLevel>
    {
        ["Default"] = LogLevel.Information,
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
        ["System.Net.Http.HttpClient"] = LogLevel.Warning,
        ["Azure.Core"] = LogLevel.Warning,
        ["Azure.Identity"] = LogLevel.Warning,
        ["Azure.Messaging"] = LogLevel.Warning,
        ["DurableTask.AzureStorage"] = LogLevel.Warning,
        ["DurableTask.Core"] = LogLevel.Warning,
        ["Microsoft.DurableTask"] = LogLevel.Warning,
        ["Microsoft.Extensions.Http"] = LogLevel.Warning,
        ["Polly"] = LogLevel.Warning,
        ["Grpc"] = LogLevel.Warning,
    };

    /// <summary>Applies <see cref="WorkerLogLevels"/>, except for the categories configuration names itself.</summary>
    public static ILoggingBuilder AddWorkerLogLevels(this ILoggingBuilder logging, IConfiguration configuration)
    {
        foreach (var (category, level) in WorkerLogLevels)
        {
            if (configuration[$"Logging:LogLevel:{category}"] is not null)
            {
                continue;
            }
            if (category == "Default")
            {
                logging.SetMinimumLevel(level);
            }
            else
            {
                logging.AddFilter(category, level);
            }
        }
        return logging;
    }

    /// <summary>
    /// OpenTelemetry with the product's sources and meters (<see cref="CollectTelemetry.SourceNames"/>,
    /// <see cref="CollectTelemetry.MeterNames"/>) and outbound HTTP spans — only for requests made as part of traced work
    /// (HaiPay, the storefront, the order table during an order's step), never the engine's background queue polling
    /// nor the Durable Task SDK's own gRPC calls (its spans already say what they did).
    /// </summary>
    public static OpenTelemetryBuilder AddCollectTelemetry(this IServiceCollection services, string serviceName) =>
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource([.. CollectTelemetry.SourceNames])
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request => IsPartOfTracedWork(Activity.Current) && !IsEngineCall(request.RequestUri)))
            .WithMetrics(metrics => metrics.AddMeter([.. CollectTelemetry.MeterNames]));

    /// <summary>An outbound request's span is kept when it has a parent in this process (it is part of some traced work).</summary>
    public static bool IsPartOfTracedWork(Activity? request) => request?.Parent is not null;

    /// <summary>The gRPC service (its path segment, after any proto package) through which the Durable Task SDK talks to its engine (the sidecar, or the Functions host).</summary>
    public const string EngineGrpcService = "TaskHubSidecarService/";

    public static bool IsEngineCall(Uri? uri) =>
        uri is not null && uri.AbsolutePath.Contains(EngineGrpcService, StringComparison.Ordinal);
}
