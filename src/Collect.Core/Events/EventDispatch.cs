using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Events;

/// <summary>
/// Sends storefront events. Right after the write that created an event (from the activity, webhook, sweep or
/// operations action that made it), its first attempt runs in the background of that process, so the writer never
/// waits on the storefront; only when it fails does a delivery orchestration take over the retries. An event left
/// with neither (a crash in between, or a start that failed) is found by the sweep, which starts its delivery.
/// </summary>
public sealed partial class EventDispatch(OrderStore store, EventDelivery delivery, IOptions<EventOptions> options, ILogger<EventDispatch> logger)
    : IDisposable
{
    /// <summary>
    /// First attempts in flight at once in one process; beyond it (a slow storefront) an event goes straight to a
    /// delivery orchestration, so the work an outage causes here stays bounded.
    /// </summary>
    public const int MaxFirstAttemptsInFlight = 32;

    private readonly SemaphoreSlim _firstAttempts = new(MaxFirstAttemptsInFlight, MaxFirstAttemptsInFlight);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>First attempts running now.</summary>
    public int FirstAttemptsInFlight => MaxFirstAttemptsInFlight - _firstAttempts.CurrentCount;

    /// <summary>
    /// Sends the event <paramref name="order"/>'s write created, if it created one: its first attempt in the
    /// background, a delivery orchestration for the retries if that fails. Returns without waiting for the storefront.
    /// </summary>
    public async Task StartWrittenAsync(DurableTaskClient? durable, Order order)
    {
        if (durable is null || order.WrittenEvent is not { } written)
        {
            return;
        }
        if (_stopping.IsCancellationRequested || !_firstAttempts.Wait(0))
        {
            await StartOrLeaveToSweepAsync(durable, order.OrderId, written.Sequence, firstAttemptMade: false).ConfigureAwait(false);
            return;
        }
        _ = Task.Run(() => FirstAttemptAsync(durable, written));
    }

    private async Task FirstAttemptAsync(DurableTaskClient durable, OrderEvent written)
    {
        var (orderId, sequence) = (written.OrderId, written.Sequence);
        try
        {
            DeliveryResult result;
            try
            {
                result = await delivery.DeliverAsync(new DeliveryRequest(orderId, sequence, Attempt: 1, IsLast: options.Value.RetryWaits.Count == 0,
                    "automatic"), written, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                // Not recorded as an attempt (it failed before or while writing it): the orchestration makes attempt 1.
                LogFirstAttemptFailed(ex, orderId, sequence);
                await StartOrLeaveToSweepAsync(durable, orderId, sequence, firstAttemptMade: false).ConfigureAwait(false);
                return;
            }
            if (result == DeliveryResult.Retry)
            {
                await StartOrLeaveToSweepAsync(durable, orderId, sequence, firstAttemptMade: true).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The process is stopping: the event is still pending and on the sweep's work list.
        }
        finally
        {
            _firstAttempts.Release();
        }
    }

    private async Task StartOrLeaveToSweepAsync(DurableTaskClient durable, string orderId, int sequence, bool firstAttemptMade)
    {
        try
        {
            await StartAsync(durable, orderId, sequence, firstAttempt: 1, "automatic", firstAttemptMade).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not lost: the write put the event on the sweep's work list, and the sweep starts its delivery.
            LogStartFailed(ex, orderId, sequence);
        }
    }

    /// <summary>
    /// Schedules a delivery unless one is running; false when one was already running. With
    /// <paramref name="firstAttemptMade"/>, attempt <paramref name="firstAttempt"/> was made (and failed) already and the
    /// delivery starts with the schedule's first wait.
    /// </summary>
    public async Task<bool> StartAsync(DurableTaskClient durable, string orderId, int sequence, int firstAttempt, string kind, bool firstAttemptMade = false)
    {
        var instanceId = OrderEvents.DeliveryInstanceId(orderId, sequence);
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(CollectionTasks.EventDeliveryOrchestrator,
                new EventDeliveryInput(orderId, sequence, options.Value.RetryWaits, firstAttempt, kind, firstAttemptMade),
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

    /// <summary>Stops first attempts in flight (their events stay pending for the sweep).</summary>
    public void Dispose()
    {
        _stopping.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: delivery of event {Sequence} could not be started now; the sweep will")]
    private partial void LogStartFailed(Exception exception, string orderId, int sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the first attempt of event {Sequence} failed before it was recorded; a delivery takes over")]
    private partial void LogFirstAttemptFailed(Exception exception, string orderId, int sequence);
}
