using System.Diagnostics;
using Collect.Core.Telemetry;
using Collect.LocalRunner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// <c>Telemetry:Exporter</c> picks the runner's exporter (none by default), a wrong value stops the runner at start,
/// and what is traced is the product's work, not the engine's chatter. The end-to-end proof (one order, one trace, through
/// the engine) is <c>Collect.EndToEnd.Tests.TelemetryScenarioTests</c>.
/// </summary>
public sealed class TelemetryExportTests
{
    [Theory]
    [InlineData(null, TelemetryExporter.None)]
    [InlineData("", TelemetryExporter.None)]
    [InlineData("none", TelemetryExporter.None)]
    [InlineData("Console", TelemetryExporter.Console)]
    [InlineData("otlp", TelemetryExporter.Otlp)]
    public void The_exporter_setting_is_read(string? value, TelemetryExporter expected) =>
        Assert.Equal(expected, TelemetryExport.Exporter(Configuration(value)));

    [Theory]
    [InlineData("zipkin")]
    [InlineData("7")]
    [InlineData("console,otlp")]
    public void A_wrong_exporter_setting_is_refused(string value) =>
        Assert.Contains("none, console or otlp", Assert.Throws<InvalidOperationException>(() => TelemetryExport.Exporter(Configuration(value))).Message);

    [Theory]
    [InlineData(null, false)]
    [InlineData("none", false)]
    [InlineData("console", true)]
    [InlineData("otlp", true)]
    public void A_tracer_is_registered_only_when_an_exporter_is_asked_for(string? value, bool registered)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryExport.ExporterSetting] = value,
            [TelemetryExport.OtlpEndpointSetting] = "http://127.0.0.1:4317",
        });
        builder.AddCollectTelemetryExport();
        using var app = builder.Build();

        Assert.Equal(registered, app.Services.GetService<TracerProvider>() is not null);
    }

    [Theory]
    [InlineData("/api/orders", true)]
    [InlineData("/api/haipay/notify", true)]
    [InlineData("/API/ops/orders", true)]
    [InlineData("/healthz", false)]
    [InlineData("/_runner/key-source", false)]
    [InlineData("/TaskHubSidecarService/GetWorkItems", false)]
    [InlineData("/apix", false)]
    public void Only_the_products_routes_are_traced_inbound(string path, bool traced) =>
        Assert.Equal(traced, TelemetryExport.IsProductRoute(new PathString(path)));

    [Theory]
    [InlineData("http://127.0.0.1:4001/TaskHubSidecarService/CompleteActivityTask", true)]
    [InlineData("http://127.0.0.1:4001/microsoft.durabletask.protobuf.TaskHubSidecarService/StartInstance", true)]
    [InlineData("https://sandbox.haipay.example/hkd/collect/apply", false)]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/orders", false)]
    public void The_engines_own_grpc_calls_are_not_traced_outbound(string url, bool engine) =>
        Assert.Equal(engine, TelemetryRegistration.IsEngineCall(new Uri(url)));

    [Fact]
    public void An_outbound_request_is_traced_only_as_part_of_traced_work()
    {
        using var background = new Activity("queue poll").Start();
        Assert.False(TelemetryRegistration.IsPartOfTracedWork(background));
        using var request = new Activity("POST").Start();
        Assert.True(TelemetryRegistration.IsPartOfTracedWork(request));
        Assert.False(TelemetryRegistration.IsPartOfTracedWork(null));
    }

    private static IConfiguration Configuration(string? exporter) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [TelemetryExport.ExporterSetting] = exporter })
        .Build();
}
