using Azure.Data.Tables;
using Collect.Core;
using Collect.Core.Operations;
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

/// <summary>
/// <see cref="HistoryRetention"/> on the runner's engine (the sidecar over Azurite, Azure Storage backend, the
/// settings host.json ships): with a retention of a few seconds, an ended instance older than that is purged from the
/// Instances and History tables, while an old one still waiting and a recent ended one stay.
/// </summary>
public sealed class HistoryRetentionEngineTests(AzuriteProcess azurite) : IClassFixture<AzuriteProcess>
{
    private const string Hub = "retentionhub";
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Ended_instances_older_than_the_retention_are_purged_and_waiting_or_recent_ones_stay()
    {
        await using var sidecar = await DurableSidecar.StartAsync(ShippedEngine.Options("retention-test"), Hub, azurite.ConnectionString,
            NullLoggerFactory.Instance);
        using var channel = GrpcChannel.ForAddress(sidecar.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(channel));
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.AddTasks(tasks => tasks.AddOrchestratorFunc<string, string>("Collect", async (context, mode) =>
            {
                var answer = await context.CallActivityAsync<string>("Ask", mode);
                return mode == "wait" ? await context.WaitForExternalEvent<string>("finish") : answer;
            }).AddActivityFunc<string, string>("Ask", (_, mode) => mode + " answered"));
            worker.UseGrpc(channel);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            var oldEnded = await RunToCompletionAsync(client, "old");
            var oldWaiting = await StartAsync(client, "wait");
            await WaitUntilAsync(client, oldWaiting, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running);
            await Task.Delay(Retention + TimeSpan.FromSeconds(1));
            var recentEnded = await RunToCompletionAsync(client, "recent");
            Assert.NotEmpty(await HistoryRowsAsync(oldEnded));

            var retention = new HistoryRetention(
                Microsoft.Extensions.Options.Options.Create(new CollectOptions { HistoryRetention = Retention }),
                TimeProvider.System, NullLogger<HistoryRetention>.Instance);
            var purged = await retention.RunAsync(client);

            Assert.Equal(1, purged);
            Assert.Null(await client.GetInstanceAsync(oldEnded));
            Assert.Empty(await HistoryRowsAsync(oldEnded));
            Assert.Equal(OrchestrationRuntimeStatus.Running, (await client.GetInstanceAsync(oldWaiting))!.RuntimeStatus);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await client.GetInstanceAsync(recentEnded))!.RuntimeStatus);
            Assert.NotEmpty(await HistoryRowsAsync(recentEnded));

            // The waiting one still completes, and ages out only once it has ended.
            await client.RaiseEventAsync(oldWaiting, "finish", "paid");
            await WaitUntilAsync(client, oldWaiting, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Completed);
            Assert.Equal(1, await retention.RunAsync(client));
            Assert.Null(await client.GetInstanceAsync(oldWaiting));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<string> StartAsync(DurableTaskClient client, string mode)
    {
        var instanceId = $"{mode}-{Guid.NewGuid():N}";
        await client.ScheduleNewOrchestrationInstanceAsync("Collect", mode, new StartOrchestrationOptions(instanceId));
        return instanceId;
    }

    private static async Task<string> RunToCompletionAsync(DurableTaskClient client, string mode)
    {
        var instanceId = await StartAsync(client, mode);
        await WaitUntilAsync(client, instanceId, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Completed);
        return instanceId;
    }

    private static async Task WaitUntilAsync(DurableTaskClient client, string instanceId, Func<OrchestrationMetadata, bool> condition)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var metadata = await client.GetInstanceAsync(instanceId);
            if (metadata is not null && condition(metadata))
            {
                return;
            }
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Orchestration {instanceId} is {metadata?.RuntimeStatus}.");
            }
            await Task.Delay(100);
        }
    }

    private async Task<IReadOnlyList<TableEntity>> HistoryRowsAsync(string instanceId)
    {
        var history = new TableClient(azurite.ConnectionString, Hub + "History");
        var rows = new List<TableEntity>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
        {
            rows.Add(row);
        }
        return rows;
    }
}
