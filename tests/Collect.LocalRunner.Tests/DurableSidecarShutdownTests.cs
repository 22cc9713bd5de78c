using Collect.LocalRunner.Engine;
using Grpc.Net.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;

namespace Collect.LocalRunner.Tests;

/// <summary>Stopping the engine: after a failed start (no worker ever connected) and after work, twice in a row on one hub.</summary>
public sealed class DurableSidecarShutdownTests(AzuriteProcess azurite) : IClassFixture<AzuriteProcess>
{
    [Fact]
    public async Task A_sidecar_no_worker_connected_to_stops_without_error()
    {
        var sidecar = await DurableSidecar.StartAsync(ShippedEngine.Options("idle"), "idlehub", azurite.ConnectionString, NullLoggerFactory.Instance);

        await sidecar.DisposeAsync();
    }

    [Fact]
    public async Task A_stopped_sidecar_hands_its_task_hub_to_the_next_one_with_the_same_worker_id()
    {
        var options = ShippedEngine.Options("restarting");
        for (var run = 0; run < 2; run++)
        {
            await using var sidecar = await DurableSidecar.StartAsync(options, "restarthub", azurite.ConnectionString, NullLoggerFactory.Instance);
            using var channel = GrpcChannel.ForAddress(sidecar.Address);
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddDurableTaskClient(client => client.UseGrpc(channel));
            builder.Services.AddDurableTaskWorker(worker =>
            {
                worker.AddTasks(tasks => tasks.AddOrchestratorFunc<int, int>("Double", (_, n) => Task.FromResult(n * 2)));
                worker.UseGrpc(channel);
            });
            using var host = builder.Build();
            await host.StartAsync();
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            var instanceId = await client.ScheduleNewOrchestrationInstanceAsync("Double", 21);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

            var completed = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

            Assert.Equal(42, completed.ReadOutputAs<int>());
            await host.StopAsync();
        }
    }
}
