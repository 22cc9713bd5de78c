using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Collect.Core.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TestSupport;

namespace Collect.Functions.Tests;

/// <summary>
/// The Functions worker exports through OpenTelemetry to Application Insights (Entra ID, the app's identity) when the
/// connection string is set, listens to the product's sources and meter, sets its own log levels, and the host is told
/// to use OpenTelemetry and the Durable extension's distributed tracing too.
/// </summary>
public sealed class TelemetryExportTests
{
    private const string ConnectionString =
        "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://eastasia-0.in.applicationinsights.azure.com/";

    [Fact]
    public void With_a_connection_string_the_worker_exports_the_products_spans_and_metrics_to_Azure_Monitor_as_its_identity()
    {
        using var host = BuildWorker(new()
        {
            [TelemetryExport.ConnectionStringSetting] = ConnectionString,
            ["AZURE_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
        });

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        foreach (var source in CollectTelemetry.SourceNames)
        {
            using var probe = new ActivitySource(source);
            Assert.True(probe.HasListeners(), $"nothing listens to {source}");
        }
        using var meter = new Meter(CollectTelemetry.MeterName);
        var counter = meter.CreateCounter<long>("collect.test.probe");
        Assert.True(counter.Enabled, "the Collect.Core meter is not collected");

        var exporter = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName);
        Assert.Equal(ConnectionString, exporter.ConnectionString);
        Assert.IsType<DefaultAzureCredential>(exporter.Credential);
        Assert.Equal(TelemetryExport.DefaultTracesPerSecond, exporter.TracesPerSecond);
        Assert.False(exporter.EnableTraceBasedLogsSampler);
    }

    [Fact]
    public void The_trace_rate_can_be_set_and_a_wrong_one_stops_the_worker()
    {
        using var host = BuildWorker(new()
        {
            [TelemetryExport.ConnectionStringSetting] = ConnectionString,
            [TelemetryExport.TracesPerSecondSetting] = "20",
        });
        Assert.Equal(20, host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName).TracesPerSecond);

        foreach (var wrong in new[] { "0", "-1", "NaN" })
        {
            Assert.Throws<InvalidOperationException>(() => BuildWorker(new()
            {
                [TelemetryExport.ConnectionStringSetting] = ConnectionString,
                [TelemetryExport.TracesPerSecondSetting] = wrong,
            }));
        }
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_exported()
    {
        using var host = BuildWorker(new());

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void The_worker_sets_its_own_log_levels_and_an_app_setting_overrides_one()
    {
        using var host = BuildWorker(new() { ["Logging:LogLevel:Azure.Core"] = "Information" });
        var logs = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(logs.CreateLogger("System.Net.Http.HttpClient.HaiPay.LogicalHandler").IsEnabled(LogLevel.Information));
        Assert.False(logs.CreateLogger("Azure.Identity").IsEnabled(LogLevel.Information));
        Assert.False(logs.CreateLogger("Microsoft.DurableTask.Worker").IsEnabled(LogLevel.Information));
        Assert.True(logs.CreateLogger("Azure.Core").IsEnabled(LogLevel.Information));
        Assert.True(logs.CreateLogger("Collect.Core.Collection.SettlementService").IsEnabled(LogLevel.Information));
        Assert.False(logs.CreateLogger("Collect.Core.Collection.SettlementService").IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public void The_host_uses_OpenTelemetry_and_the_Application_Insights_SDK_is_gone()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine("host.json")))!;
        Assert.Equal("OpenTelemetry", hostJson["telemetryMode"]?.GetValue<string>());
        Assert.Null(hostJson["logging"]?["applicationInsights"]);
        // The Durable extension's W3C tracing: the host carries the trace context into orchestrations and activities.
        var tracing = hostJson["extensions"]?["durableTask"]?["tracing"];
        Assert.True(tracing?["DistributedTracingEnabled"]?.GetValue<bool>());
        Assert.Equal("V2", tracing?["Version"]?.GetValue<string>());

        var project = File.ReadAllText(RepositoryRoot.Combine("src", "Collect.Functions", "Collect.Functions.csproj"));
        Assert.DoesNotContain("ApplicationInsights", project);
        Assert.Contains("Microsoft.Azure.Functions.Worker.OpenTelemetry", project);
        Assert.Contains("Azure.Monitor.OpenTelemetry.Exporter", project);
    }

    /// <summary>The worker's builder as Program.cs sets up telemetry and logging, built (not run).</summary>
    private static IHost BuildWorker(Dictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCollectTelemetryExport();
        return builder.Build();
    }
}
