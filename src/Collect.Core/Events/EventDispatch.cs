using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Events;

/// <summary>
/// Starts storefront event deliveries: right after the write that created an event (from the activity, webhook, sweep
/// or operations action that made it), and, for any event left without one (a crash in between), from the sweep.
/// </summary>
public sealed partial class EventDispatch(OrderStore store, IOptions<EventOptions> options, ILogger<EventDispatch> logger)
{
    /// <summary>Starts the delivery of the event <paramref name="order"/>'s write created, if it created one.</summary>
    public async Task StartWrittenAsync(DurableTaskClient? durable, Order order)
    {
        if (durable is not null && order.WrittenEvent is { } sequence)
        {
            try
            {
                await StartAsync(durable, order.OrderId, sequence, firstAttempt: 1, "automatic").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not lost: the write put the order on the sweep's work list, and the sweep starts it.
                LogStartFailed(ex, order.OrderId, sequence);
            }
        }
    }

    /// <summary>Schedules a delivery unless one is running; false when one was already running.</summary>
    public async Task<bool> StartAsync(DurableTaskClient durable, string orderId, int sequence, int firstAttempt, string kind)
    {
        var instanceId = OrderEvents.DeliveryInstanceId(orderId, sequence);
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(CollectionTasks.EventDeliveryOrchestrator,
                new EventDeliveryInput(orderId, sequence, options.Value.RetryWaits, firstAttempt, kind),
                CollectionStart.Options(instanceId), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (CollectionStart.IsLive(await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, CancellationToken.None).ConfigureAwait(false)))
            {
                return false;
            }
            throw;
        }
    }

    /// <summary>
    /// The sweep's safety net for one written event: a pending event whose delivery is missing (or failed, or was
    /// terminated) gets one. Null when the event does not exist (the write that was to create it failed); else whether
    /// a delivery was started.
    /// </summary>
    public async Task<bool?> EnsureDeliveryAsync(DurableTaskClient durable, string orderId, int sequence, CancellationToken cancellationToken)
    {
        if (await store.GetEventAsync(orderId, sequence, cancellationToken).ConfigureAwait(false) is not { } orderEvent)
        {
            return null;
        }
        if (!options.Value.Enabled || orderEvent.State != EventState.Pending)
        {
            return false;
        }
        var instance = await durable.GetInstanceAsync(OrderEvents.DeliveryInstanceId(orderId, sequence), getInputsAndOutputs: false, cancellationToken)
            .ConfigureAwait(false);
        return (instance is null || instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
               && await StartAsync(durable, orderId, sequence, orderEvent.Attempts + 1, "automatic").ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: delivery of event {Sequence} could not be started now; the sweep will")]
    private partial void LogStartFailed(Exception exception, string orderId, int sequence);
}
