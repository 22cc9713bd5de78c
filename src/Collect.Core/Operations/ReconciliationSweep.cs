using Collect.Core.Collection;
using Collect.Core.Events;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay.Client;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>What one sweep run did, by kind of action.</summary>
public sealed record SweepReport(int Due, int Settled, int Watching, int Restarted, int Requeried, int Dropped, int Failed)
{
    /// <summary>Storefront event deliveries the sweep had to start (their writer could not).</summary>
    public int DeliveriesStarted { get; init; }

    public static SweepReport Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// The reconciliation sweep: makes sure no order is left without something driving it to HaiPay's final word. It reads
/// only the due rows of the <see cref="OrderIndex"/> (never the orders table) and for each order:
/// <list type="bullet">
/// <item>settled (Succeeded, Failed, Rejected, NeedsReview) → its row goes;</item>
/// <item>waiting (Pending, AwaitingPayment) with a live orchestration → looked at again after the deadline;</item>
/// <item>waiting with no live orchestration (never started after a crash, failed, terminated, or completed without
/// settling it) → the orchestration is started again, at most <see cref="CollectOptions.SweepMaxRestarts"/> times;</item>
/// <item>Expired or Cancelled → HaiPay is asked again on <see cref="CollectOptions.ExpiredRequery"/>'s slow schedule, so a late
/// payment whose callbacks were all lost still ends Succeeded; after the last step the row goes.</item>
/// </list>
/// Every action is audited with actor <c>sweep</c>. The Functions app runs it on a timer, the local runner on a hosted
/// timer; runs never overlap (the timer trigger is a singleton).
/// </summary>
public sealed partial class ReconciliationSweep(
    OrderStore store,
    OrderIndex index,
    SettlementService settlement,
    EventDispatch events,
    IOptions<CollectOptions> options,
    TimeProvider time,
    CollectMetrics metrics,
    ILogger<ReconciliationSweep> logger)
{
    public const string Actor = "sweep";

    /// <summary>The Functions app's timer schedule (NCRONTAB): every minute, as <see cref="CollectOptions.SweepInterval"/>'s default.</summary>
    public const string Schedule = "0 * * * * *";

    /// <summary>How long a work-list row may point at no order before it is dropped (create crashed before the insert).</summary>
    public static readonly TimeSpan MissingOrderPatience = TimeSpan.FromMinutes(10);

    /// <summary>The <c>collect.sweep.actions</c> kind of a visit that threw (the row stays due); the others are <see cref="Action"/> in lower case.</summary>
    public const string FailedKind = "failed";

    private enum Action
    {
        Settled,
        Watching,
        Restarted,
        Requeried,
        Dropped,
    }

    public async Task<SweepReport> RunAsync(DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var due = await index.DueAsync(time.GetUtcNow(), settings.SweepBatchSize, cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<Action, int>();
        var failed = 0;
        foreach (var entry in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = logger.BeginOrderScope(entry.OrderId);
            try
            {
                var action = await VisitAsync(durable, entry, cancellationToken).ConfigureAwait(false);
                counts[action] = counts.GetValueOrDefault(action) + 1;
                metrics.SweepAction(action.ToString().ToLowerInvariant());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The row stays due: the next run tries again.
                failed++;
                metrics.SweepAction(FailedKind);
                LogVisitFailed(ex, entry.OrderId);
            }
        }
        var deliveries = await EnsureEventDeliveriesAsync(durable, cancellationToken).ConfigureAwait(false);
        var report = new SweepReport(due.Count, counts.GetValueOrDefault(Action.Settled), counts.GetValueOrDefault(Action.Watching),
            counts.GetValueOrDefault(Action.Restarted), counts.GetValueOrDefault(Action.Requeried), counts.GetValueOrDefault(Action.Dropped), failed)
        {
            DeliveriesStarted = deliveries,
        };
        if (due.Count > 0)
        {
            LogRun(report.Due, report.Settled, report.Watching, report.Restarted, report.Requeried, report.Dropped, report.Failed);
        }
        return report;
    }

    /// <summary>
    /// Every storefront event written a grace period ago gets a delivery if the writer could not start one (a crash in
    /// between); its row then goes. Returns how many deliveries this started.
    /// </summary>
    private async Task<int> EnsureEventDeliveriesAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = 0;
        foreach (var (key, orderId, sequence, dueAt) in await index.EventsDueAsync(now, options.Value.SweepBatchSize, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var outcome = await events.EnsureDeliveryAsync(durable, orderId, sequence, cancellationToken).ConfigureAwait(false);
                if (outcome is null && now - dueAt < MissingOrderPatience)
                {
                    continue; // the write may still land
                }
                started += outcome == true ? 1 : 0;
                await index.RemoveEventDueAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogVisitFailed(ex, orderId);
            }
        }
        return started;
    }

    private async Task<Action> VisitAsync(DurableTaskClient durable, SweepEntry entry, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var order = await store.GetAsync(entry.OrderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            // Left where it is (its due time measures how long the order has been missing): an insert in flight
            // may still land; after MissingOrderPatience it never will.
            if (now - entry.DueAt >= MissingOrderPatience)
            {
                await index.RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
                return Action.Dropped;
            }
            return Action.Watching;
        }
        if (order.Status.IsOpenToLateReports())
        {
            return await RequeryExpiredAsync(durable, entry, order, cancellationToken).ConfigureAwait(false);
        }
        if (order.Status.IsFinal())
        {
            await index.RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
            return Action.Settled;
        }
        return await EnsureDrivenAsync(durable, entry, order, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A waiting order: is an orchestration running it? If not, start it again.</summary>
    private async Task<Action> EnsureDrivenAsync(DurableTaskClient durable, SweepEntry entry, Order order, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (now >= order.CreatedAt + settings.Deadline + settings.SweepGrace)
        {
            metrics.SweepFoundOverdue();
        }
        var instance = await durable.GetInstanceAsync(order.OrderId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (CollectionStart.IsLive(instance))
        {
            var afterDeadline = order.CreatedAt + settings.Deadline + settings.SweepGrace;
            await index.MoveAsync(entry, entry with { DueAt = afterDeadline > now ? afterDeadline : now + settings.SweepGrace }, cancellationToken)
                .ConfigureAwait(false);
            return Action.Watching;
        }

        var state = instance is null ? "missing" : instance.RuntimeStatus.ToString();
        if (entry.Restarts >= settings.SweepMaxRestarts)
        {
            LogGivenUp(order.OrderId, order.Status, state, entry.Restarts);
            await index.MoveAsync(entry, entry with { DueAt = now + TimeSpan.FromHours(1) }, cancellationToken).ConfigureAwait(false);
            return Action.Watching;
        }
        await AuditAsync(order,
            $"the order is {order.Status} and its orchestration is {state}: started again (restart {entry.Restarts + 1} of at most {settings.SweepMaxRestarts})",
            cancellationToken).ConfigureAwait(false);
        var started = await CollectionStart.EnsureStartedAsync(durable, order, settings).ConfigureAwait(false);
        LogRestarted(order.OrderId, order.Status, state, started);
        await index.MoveAsync(entry, entry with { DueAt = now + settings.SweepGrace, Restarts = entry.Restarts + 1 }, cancellationToken)
            .ConfigureAwait(false);
        return Action.Restarted;
    }

    /// <summary>An Expired or Cancelled order: ask HaiPay again, on the slow schedule, until it settles or the schedule ends.</summary>
    private async Task<Action> RequeryExpiredAsync(DurableTaskClient durable, SweepEntry entry, Order order, CancellationToken cancellationToken)
    {
        var schedule = options.Value.ExpiredRequerySchedule;
        var done = entry.Requeries;
        try
        {
            var settled = await settlement.QueryAsync(order.OrderId, QueryReason.Sweep, skipWhenFinal: false, Actor, cancellationToken)
                .ConfigureAwait(false);
            done++;
            await events.StartWrittenAsync(durable, settled.Order).ConfigureAwait(false);
            if (!settled.Order.Status.IsOpenToLateReports())
            {
                await index.RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
                return Action.Requeried;
            }
        }
        catch (HaiPayTransientException)
        {
            // Audited by the settlement service; the next step of the schedule is the retry.
            done++;
        }
        if (done >= schedule.Count)
        {
            await AuditAsync(order,
                $"HaiPay was asked {done} times after the order expired and never reported a final status: no longer re-queried " +
                "(a late callback is still settled)", cancellationToken).ConfigureAwait(false);
            await index.RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
            return Action.Dropped;
        }
        await index.MoveAsync(entry, entry with { DueAt = time.GetUtcNow() + schedule[done], Requeries = done }, cancellationToken).ConfigureAwait(false);
        return Action.Requeried;
    }

    /// <summary>Records a sweep action in the order's audit trail (actor and reason <c>sweep</c>).</summary>
    private Task AuditAsync(Order order, string detail, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(new AuditEntry
        {
            OrderId = order.OrderId,
            Kind = AuditKind.Sweep,
            Reason = Actor,
            Actor = Actor,
            FromStatus = order.Status,
            Detail = detail,
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sweep: {Due} due, {Settled} settled, {Watching} watched, {Restarted} restarted, {Requeried} re-queried, {Dropped} dropped, {Failed} failed")]
    private partial void LogRun(int due, int settled, int watching, int restarted, int requeried, int dropped, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep: order {OrderId} is {Status} with its orchestration {State}: {Outcome}")]
    private partial void LogRestarted(string orderId, OrderStatus status, string state, StartOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Sweep: order {OrderId} is {Status} with its orchestration {State} after {Restarts} restarts; not restarted again, an operator must look")]
    private partial void LogGivenUp(string orderId, OrderStatus status, string state, int restarts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep: order {OrderId} could not be handled; it stays due")]
    private partial void LogVisitFailed(Exception exception, string orderId);
}
