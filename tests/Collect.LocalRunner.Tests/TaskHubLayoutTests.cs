using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Collect.LocalRunner.Engine;
using Grpc.Net.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;
using Xunit.Abstractions;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// The runner's engine (<see cref="DurableSidecar"/> over Azurite, a worker and a client over gRPC) runs an
/// orchestration and leaves the task hub Durable Functions leaves on Azure Storage, so Durable Functions Monitor and
/// the Functions app can read it: tables <c>{hub}Instances</c>, <c>{hub}History</c> and <c>{hub}Partitions</c> (table
/// partition management, the default of Durable Functions 3 / DurableTask.AzureStorage 2), queues
/// <c>{hub}-control-00..03</c> and <c>{hub}-workitems</c>, container <c>{hub}-applease</c>.
/// </summary>
public sealed class TaskHubLayoutTests(AzuriteProcess azurite, ITestOutputHelper output) : IClassFixture<AzuriteProcess>
{
    private const string Hub = "layouthub";

    [Fact]
    public async Task The_engine_runs_an_orchestration_and_leaves_the_durable_functions_task_hub()
    {
        var options = ShippedEngine.Options("layout-test");
        await using var sidecar = await DurableSidecar.StartAsync(options, Hub, azurite.ConnectionString, NullLoggerFactory.Instance);
        using var channel = GrpcChannel.ForAddress(sidecar.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(channel));
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.AddTasks(tasks => tasks
                .AddOrchestratorFunc<string, string>("Greet", async (context, name) =>
                {
                    var greeting = await context.CallActivityAsync<string>("Shout", name);
                    context.SetCustomStatus(new { phase = "waiting" });
                    var punctuation = await context.WaitForExternalEvent<string>("finish");
                    return greeting + punctuation;
                })
                .AddActivityFunc<string, string>("Shout", (_, name) => $"HELLO {name.ToUpperInvariant()}"));
            worker.UseGrpc(channel);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            var instanceId = "greet-" + Guid.NewGuid().ToString("N");
            await client.ScheduleNewOrchestrationInstanceAsync("Greet", "ada", new StartOrchestrationOptions(instanceId));
            await WaitForCustomStatusAsync(client, instanceId);
            await client.RaiseEventAsync(instanceId, "finish", "!");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var completed = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

            Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
            Assert.Equal("HELLO ADA!", completed.ReadOutputAs<string>());

            var tables = new List<string>();
            await foreach (var table in new TableServiceClient(azurite.ConnectionString).QueryAsync())
            {
                tables.Add(table.Name);
            }
            var queues = new List<string>();
            await foreach (var queue in new QueueServiceClient(azurite.ConnectionString).GetQueuesAsync())
            {
                queues.Add(queue.Name);
            }
            var containers = new List<string>();
            await foreach (var container in new BlobServiceClient(azurite.ConnectionString).GetBlobContainersAsync())
            {
                containers.Add(container.Name);
            }

            output.WriteLine($"tables: {string.Join(", ", tables)}");
            output.WriteLine($"queues: {string.Join(", ", queues)}");
            output.WriteLine($"containers: {string.Join(", ", containers)}");
            Assert.Subset(tables.ToHashSet(), new HashSet<string> { Hub + "Instances", Hub + "History", Hub + "Partitions" });
            Assert.Subset(queues.ToHashSet(), new HashSet<string>
            {
                Hub + "-control-00", Hub + "-control-01", Hub + "-control-02", Hub + "-control-03", Hub + "-workitems",
            });
            Assert.DoesNotContain(Hub + "-control-04", queues);
            Assert.Contains(Hub + "-applease", containers);

            // The instance row and its history, in the columns Durable Functions Monitor reads.
            var instances = new TableClient(azurite.ConnectionString, Hub + "Instances");
            var instance = (await instances.GetEntityAsync<TableEntity>(instanceId, "")).Value;
            Assert.Equal("Completed", instance.GetString("RuntimeStatus"));
            Assert.Equal("Greet", instance.GetString("Name"));
            var history = new TableClient(azurite.ConnectionString, Hub + "History");
            var events = new List<string>();
            await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
            {
                if (row.GetString("EventType") is { } eventType)
                {
                    events.Add(eventType);
                }
            }
            Assert.Contains("ExecutionStarted", events);
            Assert.Contains("TaskCompleted", events);
            Assert.Contains("EventRaised", events);
            Assert.Contains("ExecutionCompleted", events);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Readiness: the orchestration has run its activity and waits for the event.</summary>
    private static async Task WaitForCustomStatusAsync(DurableTaskClient client, string instanceId)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (metadata?.SerializedCustomStatus is not null)
            {
                return;
            }
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Orchestration {instanceId} did not reach its wait ({metadata?.RuntimeStatus}).");
            }
            await Task.Delay(100);
        }
    }
}
