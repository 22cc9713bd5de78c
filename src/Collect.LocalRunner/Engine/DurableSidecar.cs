using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Options;

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
    private readonly ServerLifetime _serverLifetime;
    private readonly WorkerConnections _workers;

    private DurableSidecar(WebApplication app, AzureStorageOrchestrationService service, Uri address, string hubName)
    {
        _app = app;
        _service = service;
        _serverLifetime = app.Services.GetRequiredService<ServerLifetime>();
        _workers = app.Services.GetRequiredService<WorkerConnections>();
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
            ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            WorkerId = options.WorkerId,
            // The Functions host throws when a start meets an instance it may not replace; so does the runner.
            ThrowExceptionOnInvalidDedupeStatus = true,
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
        builder.Services.AddSingleton<WorkerConnections>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<WorkerConnections>());
        builder.Services.AddSingleton(sp => new ServerLifetime(sp.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddSingleton(sp => new TaskHubGrpcServer(
            sp.GetRequiredService<ServerLifetime>(), sp.GetRequiredService<ILoggerFactory>(), service, service,
            sp.GetRequiredService<IOptions<TaskHubGrpcServerOptions>>()));

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DurableSidecar(app, service, new Uri(address), hubName);
    }

    /// <summary>How long shutdown waits for the backend to release its leases (storage may already be gone).</summary>
    public static readonly TimeSpan BackendStopTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Stops the backend (partition leases released), then the server. The server's own shutdown stops the backend
    /// too, from an <c>async void</c> handler; it may only run after ours has finished (two concurrent stops race in
    /// AppLeaseManager and the NullReferenceException kills the process), hence <see cref="ServerLifetime"/>. The
    /// backend only starts once a worker connects: after a failed start there is nothing to stop. When storage is
    /// unreachable the backend's stop retries forever: after <see cref="BackendStopTimeout"/> shutdown goes on without
    /// it (the leases then expire by themselves, as after a crash).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var backendStop = _workers.AnyConnected ? _service.StopAsync(isForced: false) : Task.CompletedTask;
        if (await Task.WhenAny(backendStop, Task.Delay(BackendStopTimeout)) == backendStop)
        {
            await backendStop;
            _serverLifetime.BackendStopped();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The lifetime <see cref="TaskHubGrpcServer"/> sees: started with the sidecar, but stopping only once
    /// <see cref="DisposeAsync"/> has stopped the backend, so the server's dispatchers and its second stop of the
    /// backend come strictly after the first.
    /// </summary>
    private sealed class ServerLifetime(IHostApplicationLifetime host) : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => host.ApplicationStarted;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => host.ApplicationStopped;

        public void StopApplication() => host.StopApplication();

        public void BackendStopped() => _stopping.Cancel();
    }

    /// <summary>Notices the first worker opening its work-item stream, which is when the server starts the backend.</summary>
    private sealed class WorkerConnections : Interceptor
    {
        private volatile bool _anyConnected;

        public bool AnyConnected => _anyConnected;

        public override Task ServerStreamingServerHandler<TRequest, TResponse>(
            TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
            ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            if (context.Method.EndsWith("/GetWorkItems", StringComparison.Ordinal))
            {
                _anyConnected = true;
            }
            return continuation(request, responseStream, context);
        }
    }
}
