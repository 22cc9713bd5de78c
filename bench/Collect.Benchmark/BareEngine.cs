using System.Diagnostics;
using Collect.LocalRunner.Engine;
using Grpc.Net.Client;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Collect.Benchmark;

/// <summary>
/// The baseline: orchestrations with no product code on the same engine (<see cref="DurableSidecar"/>, same options,
/// same Azurite), in this process, task hub <see cref="TaskHub"/>. <see cref="Orchestrator"/>: one activity, then wait
/// for one event, then complete. <see cref="OrchestratorWithTimer"/>: the product's engine shape, the same but the event
/// raced against a 15 s durable timer and the loser cancelled. <see cref="RunAsync"/> mirrors the storefront: start,
/// poll until the activity's result shows in the custom status (the "payUrl"), wait as long as the customer takes,
/// raise the event (the "callback"), poll until completed. Started and idle, it is the engine's idle cost.
/// </summary>
public sealed class BareEngine : IAsyncDisposable
{
    public const string TaskHub = "benchbare";
    public const string Orchestrator = "BareCollection";
    public const string OrchestratorWithTimer = "BareCollectionWithTimer";
    private const string Activity = "BareApply";
    public const string Event = "notify";

    /// <summary>How long <see cref="OrchestratorWithTimer"/> waits for the event: the product's first query wait.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    private readonly DurableSidecar _sidecar;
    private readonly GrpcChannel _channel;
    private readonly IHost _host;

    private BareEngine(DurableSidecar sidecar, GrpcChannel channel, IHost host)
    {
        _sidecar = sidecar;
        _channel = channel;
        _host = host;
    }

    private static string PayUrl(string orderId) => $"http://127.0.0.1/checkout/{orderId}";

    public static async Task<BareEngine> StartAsync(string storageConnection, DurableEngineOptions options)
    {
        var sidecar = await DurableSidecar.StartAsync(options, TaskHub, storageConnection, NullLoggerFactory.Instance);
        var channel = GrpcChannel.ForAddress(sidecar.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(channel));
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.AddTasks(tasks => tasks
                .AddOrchestratorFunc<string, string>(Orchestrator, async (context, orderId) =>
                {
                    var payUrl = await context.CallActivityAsync<string>(Activity, orderId);
                    context.SetCustomStatus(payUrl);
                    var status = await context.WaitForExternalEvent<int>(Event);
                    return status == 2 ? "Succeeded" : "Failed";
                })
                .AddOrchestratorFunc<string, string>(OrchestratorWithTimer, async (context, orderId) =>
                {
                    var payUrl = await context.CallActivityAsync<string>(Activity, orderId);
                    context.SetCustomStatus(payUrl);
                    using var cancelLoser = new CancellationTokenSource();
                    var notify = context.WaitForExternalEvent<int>(Event, cancelLoser.Token);
                    var timer = context.CreateTimer(context.CurrentUtcDateTime + EventTimeout, cancelLoser.Token);
                    var winner = await Task.WhenAny(notify, timer);
                    cancelLoser.Cancel();
                    if (winner != notify)
                    {
                        return "Expired";
                    }
                    return await notify == 2 ? "Succeeded" : "Failed";
                })
                .AddActivityFunc<string, string>(Activity, (_, orderId) => PayUrl(orderId)));
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = options.MaxConcurrentActivities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = options.MaxConcurrentOrchestrations;
            });
            worker.UseGrpc(channel);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new BareEngine(sidecar, channel, host);
    }

    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();

    public Task<LoadResult> RunAsync(int count, int concurrency, TimeSpan payAfter, string orchestrator = Orchestrator)
    {
        var client = Client;
        var run = Guid.NewGuid().ToString("N")[..8];
        return LoadResult.RunAsync(count, concurrency, index => OneAsync(client, orchestrator, $"bare-{run}-{index:D4}", payAfter));
    }

    private static async Task<OrderOutcome> OneAsync(DurableTaskClient client, string orchestrator, string instanceId, TimeSpan payAfter)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var reads = 1;
        await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, instanceId, new StartOrchestrationOptions(instanceId));
        // The custom status is not null but empty once the first episode is stored: wait for the activity's result.
        while (!HasPayUrl(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true)))
        {
            reads++;
            await Task.Delay(ProductLoad.PayUrlPollInterval);
        }
        var toPayUrl = clock.Elapsed;
        await Task.Delay(payAfter);
        await client.RaiseEventAsync(instanceId, Event, 2);
        OrchestrationMetadata? instance;
        while ((instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.RuntimeStatus
               is not (OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
        {
            reads++;
            await Task.Delay(ProductLoad.FinalPollInterval);
        }
        reads++;
        var status = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<string>()! : instance.RuntimeStatus.ToString();
        return new OrderOutcome(instanceId, startedAt, toPayUrl, clock.Elapsed, status, reads);
    }

    public static bool HasPayUrl(OrchestrationMetadata? instance) =>
        instance?.SerializedCustomStatus?.Contains("/checkout/", StringComparison.Ordinal) == true;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _channel.Dispose();
        await _sidecar.DisposeAsync();
    }
}
