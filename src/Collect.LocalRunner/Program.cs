using Collect.Core;
using Collect.Core.Telemetry;
using Collect.LocalRunner;
using Collect.LocalRunner.Diagnostics;
using Collect.LocalRunner.Engine;

// appsettings.json and host.json sit beside the binary, wherever the runner is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Merchant-side HaiPay settings written by the sandbox (run.sh): the lowest layer.
SettingsFile.AddAsLowestLayer(builder.Configuration);

// Engine tuning from host.json, as the Functions host reads it; configuration supplies only the local facts.
var hostJson = Path.Combine(AppContext.BaseDirectory, "host.json");
HostJsonEngineSettings.RefuseConfiguredTuning(builder.Configuration);
var engine = HostJsonEngineSettings.Apply(hostJson,
    builder.Configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>() ?? new DurableEngineOptions());
var storage = engine.StorageConnection ?? builder.Configuration["AzureWebJobsStorage"]
              ?? throw new InvalidOperationException("Set AzureWebJobsStorage (or DurableTask:StorageConnection) to the task hub's storage.");
var hubName = engine.HubName is { Length: > 0 } configured
    ? configured
    : TaskHubName.Resolve(hostJson, builder.Configuration);

using var engineLoggers = LoggerFactory.Create(logging => logging
    .AddConfiguration(builder.Configuration.GetSection("Logging"))
    .AddWorkerLogLevels(builder.Configuration)
    .AddSimpleConsole(console => console.SingleLine = true));
await using var sidecar = await DurableSidecar.StartAsync(engine, hubName, storage, engineLoggers);

builder.AddCollectTelemetryExport();
builder.Services.AddCollectCore(builder.Configuration);
builder.Services.AddCredentialSourceMeter();
builder.Services.AddCollectionWorker(sidecar, engine);
builder.Services.AddHostedService<SweepService>();
builder.Services.AddHostedService<RetentionService>();
builder.Services.AddProblemDetails();
builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));

var app = builder.Build();
app.Logger.LogInformation(
    "Durable Task engine: task hub {HubName} on Azure Storage, sidecar {Sidecar}; from host.json: {Partitions} partitions, polling ≤ {Polling}, " +
    "visibility {ControlVisibility}/{WorkItemVisibility}, concurrency {Activities}/{Orchestrations}",
    hubName, sidecar.Address, engine.PartitionCount, engine.MaxQueuePollingInterval, engine.ControlQueueVisibilityTimeout,
    engine.WorkItemQueueVisibilityTimeout, engine.MaxConcurrentActivities, engine.MaxConcurrentOrchestrations);
app.MapCollectRoutes();
app.MapCredentialSourceMeter();
await app.RunAsync();
