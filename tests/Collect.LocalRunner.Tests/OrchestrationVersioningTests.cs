using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.LocalRunner.Engine;
using Grpc.Net.Client;
using HaiPay;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using TestSupport;
using Proto = Microsoft.DurableTask.Protobuf;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// A deploy must not break the orders that are waiting. The histories in <c>Histories/</c> were recorded from the
/// engine (Azure Storage backend, the settings host.json ships) by an earlier release: an order waiting for its
/// customer after HaiPay accepted the apply. Each must still replay under today's <see cref="CollectionOrchestrator"/>,
/// and a callback must then lead to the confirming query, as it did. The release procedure (README, "Releasing a new
/// version") records the new release's histories with <c>COLLECT_RECORD_HISTORIES</c>.
/// </summary>
public sealed class OrchestrationVersioningTests(AzuriteProcess azurite) : IClassFixture<AzuriteProcess>
{
    /// <summary>Where recorded histories are kept (copied beside the test assembly).</summary>
    public static string HistoriesFolder => Path.Combine(AppContext.BaseDirectory, "Histories");

    public static TheoryData<string> RecordedHistories() =>
        new(Directory.GetFiles(HistoriesFolder, "*.json").Select(path => Path.GetFileName(path)).Order());

    private const string Hub = "versioninghub";

    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().BuildServiceProvider();

    [Theory]
    [MemberData(nameof(RecordedHistories))]
    public void A_history_recorded_by_an_earlier_release_replays_and_a_callback_still_leads_to_the_query(string file)
    {
        var recorded = HistoryReplay.FromJson(File.ReadAllText(Path.Combine(HistoriesFolder, file)));
        Assert.Contains(recorded.PastEvents, e => e.EventTypeCase == Proto.HistoryEvent.EventTypeOneofCase.TimerCreated);
        var now = recorded.PastEvents.Max(e => e.Timestamp.ToDateTime()) + TimeSpan.FromSeconds(5);

        var response = HistoryReplay.Replay(recorded, now, Services, HistoryReplay.Notify(now, new NotifySignal(2, Verified: true)));

        AssertQueriesNext(response);
    }

    [Fact]
    public async Task The_current_code_leaves_histories_that_replay_the_same_way()
    {
        await using var sidecar = await DurableSidecar.StartAsync(ShippedEngine.Options("versioning-test"), Hub,
            azurite.ConnectionString, NullLoggerFactory.Instance);
        using var channel = GrpcChannel.ForAddress(sidecar.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(channel));
        builder.Services.AddDurableTaskWorker(worker =>
        {
            // The real orchestrator; its activities answer as HaiPay accepting the apply would (the history records
            // only their names, inputs and outputs).
            worker.AddTasks(tasks => tasks
                .AddOrchestrator<CollectionOrchestrator>(CollectionTasks.Orchestrator)
                .AddActivityFunc<string, ApplyOutcome>(CollectionTasks.ApplyActivity,
                    (_, orderId) => new ApplyOutcome(OrderStatus.AwaitingPayment, "SBX2026120300000001", "http://127.0.0.1:5180/checkout/" + orderId, null, null))
                .AddActivityFunc<QueryRequest, OrderProgress>(CollectionTasks.QueryActivity,
                    (_, _) => new OrderProgress(OrderStatus.AwaitingPayment, CollectionStatus.NotStarted)));
            worker.UseGrpc(channel);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            var orderId = "version-" + Guid.NewGuid().ToString("N")[..12];
            await client.ScheduleNewOrchestrationInstanceAsync(CollectionTasks.Orchestrator, new CollectionInput
            {
                OrderId = orderId,
                Currency = Currency.HKD,
                QueryBackoff = [TimeSpan.FromMinutes(5)],
                Deadline = TimeSpan.FromMinutes(30),
                ContinueAsNewAfterQueries = 20,
            }, new StartOrchestrationOptions(orderId));
            // The backend's own reading of its History table (the sidecar does not serve history over gRPC).
            var backend = new DurableTask.AzureStorage.AzureStorageOrchestrationService(new DurableTask.AzureStorage.AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = Hub,
                StorageAccountClientProvider = new DurableTask.AzureStorage.StorageAccountClientProvider(azurite.ConnectionString),
            });
            var history = await WaitForAsync(async () =>
            {
                var state = (await backend.GetOrchestrationStateAsync(orderId, allExecutions: false)).FirstOrDefault();
                if (state?.OrchestrationInstance?.ExecutionId is not { } executionId)
                {
                    return null;
                }
                var events = BackendHistory(await backend.GetOrchestrationHistoryAsync(orderId, executionId));
                return events.Any(e => e is DurableTask.Core.History.TimerCreatedEvent) ? events : null;
            });

            var recorded = HistoryReplay.Record(orderId, history);
            var now = DateTime.UtcNow;
            var response = HistoryReplay.Replay(recorded, now, Services, HistoryReplay.Notify(now, new NotifySignal(2, Verified: true)));

            AssertQueriesNext(response);
            if (Environment.GetEnvironmentVariable("COLLECT_RECORD_HISTORIES") is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "awaiting-payment.json"), HistoryReplay.ToJson(recorded));
            }
            await client.TerminateInstanceAsync(orderId);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>No failure (a non-deterministic replay fails the orchestration) and a QueryActivity scheduled.</summary>
    private static void AssertQueriesNext(Proto.OrchestratorResponse response)
    {
        var completed = response.Actions.FirstOrDefault(a =>
            a.OrchestratorActionTypeCase == Proto.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration);
        Assert.True(completed is null, $"The replay ended the orchestration: {completed?.CompleteOrchestration.FailureDetails}");
        Assert.Contains(response.Actions, a => a.ScheduleTask?.Name == CollectionTasks.QueryActivity);
    }

    /// <summary>The backend's history JSON (no type names: each event says its <c>EventType</c>) as DurableTask.Core events.</summary>
    private static List<DurableTask.Core.History.HistoryEvent> BackendHistory(string json) =>
        Newtonsoft.Json.Linq.JArray.Parse(json).Cast<Newtonsoft.Json.Linq.JObject>().Select(item =>
        {
            var kind = (DurableTask.Core.History.EventType)item.Value<int>("EventType");
            var type = typeof(DurableTask.Core.History.HistoryEvent).Assembly.GetType($"DurableTask.Core.History.{kind}Event")
                       ?? throw new InvalidOperationException($"No history event type for {kind}.");
            return (DurableTask.Core.History.HistoryEvent)item.ToObject(type)!;
        }).ToList();

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(100, guard.Token);
        }
    }
}
