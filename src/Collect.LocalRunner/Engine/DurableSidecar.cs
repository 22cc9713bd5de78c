using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Collect.LocalRunner.Engine;

/// <summary>
/// The real Durable Task engine, outside the Functions host: <see cref="AzureStorageOrchestrationService"/> (the
/// backend Durable Functions uses) served over gRPC by Microsoft's sidecar (<see cref="TaskHubGrpcServer"/>) on a
/// loopback HTTP/2 port. Workers and clients connect to <see cref="Address"/> exactly as the isolated worker does.
/// </summary>
public sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AzureStorageOrchestrationService _service;

    private DurableSidecar(WebApplication app, AzureStorageOrchestrationService service, Uri address, string hubName)
    {
        _app = app;
        _service = service;
        Address = address;
        HubName = hubName;
    }

    /// <summary>The sidecar's gRPC address (http://127.0.0.1:port).</summary>
    public Uri Address { get; }

    public string HubName { get; }

    public static async Task<DurableSidecar> StartAsync(
        DurableEngineOptions options, string hubName, string storageConnection, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken = default)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = hubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(storageConnection),
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            ControlQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            WorkerId = options.WorkerId,
            LoggerFactory = loggerFactory,
        });

        // The sidecar never creates the task hub itself (durable-engine-notes.md, gotcha 1).
        await service.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.SidecarPort, listen => listen.Protocols = HttpProtocols.Http2);
            // Every client wait and the worker's work-item stream is an HTTP/2 stream (gotcha 8).
            kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
        });
        builder.Services.AddSingleton<IOrchestrationService>(service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(service);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DurableSidecar(app, service, new Uri(address), hubName);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _service.StopAsync(isForced: false);
        await _app.DisposeAsync();
    }
}
