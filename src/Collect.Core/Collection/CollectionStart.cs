using Collect.Core.Orders;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Collect.Core.Collection;

/// <summary>How a start of an order's orchestration ended.</summary>
public enum StartOutcome
{
    /// <summary>This call scheduled it.</summary>
    Scheduled,
    /// <summary>An instance of it was already pending or running: nothing was scheduled.</summary>
    AlreadyRunning,
}

/// <summary>
/// Starts an order's orchestration (instance id = orderId), the same way from every caller (create, a replayed create,
/// the sweep) and in both hosts.
/// </summary>
/// <remarks>
/// The reuse policy is explicit: an instance that is pending, running or suspended is never replaced (the start
/// fails with "already exists" and the caller finds the live one); a completed, failed or terminated one is. That is
/// the Functions host's own rule (host.json <c>overridableExistingInstanceStates: NonRunningStates</c>), which ignores a
/// client's policy; the local runner's sidecar honours the one passed here, with the backend told to throw on it.
/// </remarks>
public static class CollectionStart
{
    /// <summary>The instance statuses a start never replaces: exactly the Functions host's NonRunningStates set.</summary>
    public static IReadOnlyList<OrchestrationRuntimeStatus> LiveStatuses { get; } =
    [
        OrchestrationRuntimeStatus.Pending,
        OrchestrationRuntimeStatus.Running,
        OrchestrationRuntimeStatus.Suspended,
#pragma warning disable CS0618 // obsolete in the client, but a status the Azure Storage backend still records between generations
        OrchestrationRuntimeStatus.ContinuedAsNew,
#pragma warning restore CS0618
    ];

    public static bool IsLive(OrchestrationMetadata? instance) => instance is not null && LiveStatuses.Contains(instance.RuntimeStatus);

    /// <summary>The start options: instance id = orderId, live instances deduplicated.</summary>
    public static StartOrchestrationOptions Options(string orderId) =>
        new StartOrchestrationOptions(orderId).WithDedupeStatuses([.. LiveStatuses]);

    /// <summary>
    /// The orchestration's input for <paramref name="order"/>: a Pending order applies; an order HaiPay accepted
    /// already resumes waiting with its orderNo and payUrl. The deadline counts from the order's creation, so a restart
    /// never extends it.
    /// </summary>
    public static CollectionInput Input(Order order, CollectOptions settings) => new()
    {
        OrderId = order.OrderId,
        Currency = order.Currency,
        Applied = order.Status != OrderStatus.Pending,
        OrderNo = order.OrderNo,
        PayUrl = order.PayUrl,
        DeadlineUtc = (order.CreatedAt + settings.Deadline).UtcDateTime,
        QueryBackoff = settings.QueryBackoffSchedule,
        Deadline = settings.Deadline,
        ContinueAsNewAfterQueries = settings.ContinueAsNewAfterQueries,
    };

    /// <summary>
    /// Schedules the order's orchestration unless a live instance exists. Never cancelled by the caller: once an order is
    /// stored, its orchestration must start. Throws when the start failed and no live instance exists.
    /// </summary>
    public static async Task<StartOutcome> EnsureStartedAsync(DurableTaskClient durable, Order order, CollectOptions settings)
    {
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                CollectionTasks.Orchestrator, Input(order, settings), Options(order.OrderId), CancellationToken.None).ConfigureAwait(false);
            return StartOutcome.Scheduled;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var existing = await durable.GetInstanceAsync(order.OrderId, getInputsAndOutputs: false, CancellationToken.None).ConfigureAwait(false);
            if (IsLive(existing))
            {
                return StartOutcome.AlreadyRunning;
            }
            throw;
        }
    }
}
