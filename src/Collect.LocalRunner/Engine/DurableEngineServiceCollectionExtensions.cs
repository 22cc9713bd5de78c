using Collect.Core.Collection;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;

namespace Collect.LocalRunner.Engine;

public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>
    /// Connects a Durable Task worker (the orchestrator and activities from the one registration list) and a
    /// <see cref="DurableTaskClient"/> to a running <see cref="DurableSidecar"/>.
    /// </summary>
    public static IServiceCollection AddCollectionWorker(this IServiceCollection services, DurableSidecar sidecar, DurableEngineOptions options)
    {
        var channel = GrpcChannel.ForAddress(sidecar.Address);
        services.AddDurableTaskClient(client => client.UseGrpc(channel));
        services.AddDurableTaskWorker(worker =>
        {
            worker.AddTasks(registry => registry.AddCollectionTasks());
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = options.MaxConcurrentActivities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = options.MaxConcurrentOrchestrations;
            });
            worker.UseGrpc(channel);
        });
        return services;
    }
}
