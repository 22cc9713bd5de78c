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
/// The baseline: an orchestration of the product's shape (one activity, then wait for one event, then complete) with
/// no product code, on the same engine (<see cref="DurableSidecar"/>, same options, same Azurite), in this process.
/// The driver mirrors the storefront: start, poll until the activity's result shows in the custom status (the
/// "payUrl"), wait as long as the customer takes, raise the event (the "callback"), poll until completed.
/// </summary>
public static class BareEngineLoad
{
    private const string Orchestrator = "BareCollection";
    private const string Activity = "BareApply";
    private const string Event = "notify";

    public static async Task<LoadResult> RunAsync(
        string storageConnection, DurableEngineOptions options, int count, int concurrency, TimeSpan payAfter)
    {
        await using var sidecar = await DurableSidecar.StartAsync(options, "benchbare", storageConnection, NullLoggerFactory.Instance);
        using var channel = GrpcChannel.ForAddress(sidecar.Address);
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
                .AddActivityFunc<string, string>(Activity, (_, orderId) => $"http://127.0.0.1/checkout/{orderId}"));
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = options.MaxConcurrentActivities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = options.MaxConcurrentOrchestrations;
            });
            worker.UseGrpc(channel);
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<DurableTaskClient>();
            var run = Guid.NewGuid().ToString("N")[..8];
            return await LoadResult.RunAsync(count, concurrency, index => OneAsync(client, $"bare-{run}-{index:D4}", payAfter));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<OrderOutcome> OneAsync(DurableTaskClient client, string instanceId, TimeSpan payAfter)
    {
        var clock = Stopwatch.StartNew();
        await client.ScheduleNewOrchestrationInstanceAsync(Orchestrator, instanceId, new StartOrchestrationOptions(instanceId));
        while ((await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.SerializedCustomStatus is null)
        {
            await Task.Delay(ProductLoad.PayUrlPollInterval);
        }
        var toPayUrl = clock.Elapsed;
        await Task.Delay(payAfter);
        await client.RaiseEventAsync(instanceId, Event, 2);
        OrchestrationMetadata? instance;
        while ((instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.RuntimeStatus
               is not (OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
        {
            await Task.Delay(ProductLoad.FinalPollInterval);
        }
        var status = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<string>()! : instance.RuntimeStatus.ToString();
        return new OrderOutcome(instanceId, toPayUrl, clock.Elapsed, status);
    }
}
