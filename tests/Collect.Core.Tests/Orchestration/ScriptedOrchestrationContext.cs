using Collect.Core.Collection;
using Collect.Core.Orders;
using HaiPay;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Collect.Core.Tests.Orchestration;

/// <summary>
/// A Moq <see cref="TaskOrchestrationContext"/> that plays a scripted world: a clock, notify events arriving at given
/// times, and activity results. Each wait is decided when the orchestrator has created both the event wait and the
/// timer: the first scripted event arriving no later than the timer wins (the clock moves to its arrival), otherwise
/// the timer fires (the clock moves to the fire time). Every call is recorded for assertions.
/// </summary>
internal sealed class ScriptedOrchestrationContext
{
    public static readonly DateTime Start = new(2026, 11, 26, 2, 0, 0, DateTimeKind.Utc);

    private readonly List<(DateTime At, NotifySignal Signal)> _events = [];
    private readonly Queue<Func<QueryRequest, OrderProgress>> _queryResults = new();
    private TaskCompletionSource<NotifySignal>? _eventWaiter;

    public ScriptedOrchestrationContext()
    {
        Mock.SetupGet(c => c.InstanceId).Returns("ORD-1");
        Mock.SetupGet(c => c.CurrentUtcDateTime).Returns(() => Now);
        Mock.Setup(c => c.CreateReplaySafeLogger<CollectionOrchestrator>()).Returns(NullLogger.Instance);
        Mock.Setup(c => c.SetCustomStatus(It.IsAny<object?>()))
            .Callback((object? status) => CustomStatuses.Add((CollectionProgress)status!));
        Mock.Setup(c => c.ContinueAsNew(It.IsAny<object?>(), It.IsAny<bool>()))
            .Callback((object? input, bool preserve) => ContinuedAsNew.Add(((CollectionInput)input!, preserve)));
        Mock.Setup(c => c.WaitForExternalEvent<NotifySignal>(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string name, CancellationToken token) => WaitForEvent(name, token));
        Mock.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime fireAt, CancellationToken token) => CreateTimer(fireAt, token));
        Mock.Setup(c => c.CallActivityAsync<ApplyOutcome>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? options) =>
            {
                Activities.Add(name.Name);
                ApplyOptions.Add(options);
                return ApplyFailure is null
                    ? Task.FromResult(ApplyResult)
                    : Task.FromException<ApplyOutcome>(new TaskFailedException(
                        CollectionTasks.ApplyActivity, 0, TaskFailureDetails.FromException(ApplyFailure)));
            });
        Mock.Setup(c => c.CallActivityAsync<OrderProgress>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? input, TaskOptions? options) =>
            {
                StepOptions.Add((name.Name, options));
                return RunProgressActivity(name.Name, input);
            });
    }

    public Mock<TaskOrchestrationContext> Mock { get; } = new(MockBehavior.Strict);
    public TaskOrchestrationContext Object => Mock.Object;
    public DateTime Now { get; private set; } = Start;

    public ApplyOutcome ApplyResult { get; set; } = new(OrderStatus.AwaitingPayment, "HP-0001", "https://pay.example/HP-0001", null, null);
    /// <summary>When set, the apply activity fails with this (after the engine's retries, if any).</summary>
    public Exception? ApplyFailure { get; set; }
    /// <summary>How long each query activity takes (events arriving meanwhile wait in the engine's buffer).</summary>
    public TimeSpan QueryTakes { get; set; }
    public OrderProgress ExpireResult { get; set; } = new(OrderStatus.Expired, CollectionStatus.Processing);

    /// <summary>Activity names in call order.</summary>
    public List<string> Activities { get; } = [];
    public List<TaskOptions?> ApplyOptions { get; } = [];
    /// <summary>Options of every query and expire call, with the activity name.</summary>
    public List<(string Activity, TaskOptions? Options)> StepOptions { get; } = [];
    public List<QueryRequest> Queries { get; } = [];
    public List<(DateTime FireAt, CancellationToken Token, Task Task)> Timers { get; } = [];
    public List<(string Name, CancellationToken Token)> EventWaits { get; } = [];
    public List<CollectionProgress> CustomStatuses { get; } = [];
    public List<(CollectionInput Input, bool PreserveUnprocessedEvents)> ContinuedAsNew { get; } = [];

    /// <summary>HaiPay's callback reaches the orchestration <paramref name="after"/> the start.</summary>
    public ScriptedOrchestrationContext Notify(TimeSpan after, int? providerStatus = 2, bool verified = true, OrderStatus? settled = null)
    {
        _events.Add((Start + after, new NotifySignal(providerStatus, verified, settled)));
        _events.Sort((a, b) => a.At.CompareTo(b.At));
        return this;
    }

    /// <summary>The next queries answer these, in order.</summary>
    public ScriptedOrchestrationContext QueriesReturn(params OrderProgress[] results)
    {
        foreach (var result in results)
        {
            _queryResults.Enqueue(_ => result);
        }
        return this;
    }

    /// <summary>The next query fails with <paramref name="exception"/>, as the engine reports an activity failure.</summary>
    public ScriptedOrchestrationContext QueryFails(Exception exception)
    {
        _queryResults.Enqueue(_ => throw new TaskFailedException(
            CollectionTasks.QueryActivity, Queries.Count, TaskFailureDetails.FromException(exception)));
        return this;
    }

    public static OrderProgress Awaiting(CollectionStatus status) => new(OrderStatus.AwaitingPayment, status);

    private Task<NotifySignal> WaitForEvent(string name, CancellationToken token)
    {
        EventWaits.Add((name, token));
        var waiter = new TaskCompletionSource<NotifySignal>();
        _eventWaiter = waiter;
        if (_events.Count > 0 && _events[0].At <= Now)
        {
            // Arrived while the orchestrator was busy: the engine buffered it, the wait completes at once.
            DeliverNextEvent(waiter);
        }
        token.Register(() => waiter.TrySetCanceled(token));
        return waiter.Task;
    }

    private Task CreateTimer(DateTime fireAt, CancellationToken token)
    {
        var timer = new TaskCompletionSource();
        token.Register(() => timer.TrySetCanceled(token));
        Timers.Add((fireAt, token, timer.Task));

        if (_eventWaiter is { Task.IsCompleted: false } waiter && _events.Count > 0 && _events[0].At <= fireAt)
        {
            DeliverNextEvent(waiter);
        }
        else if (_eventWaiter is not { Task.IsCompletedSuccessfully: true })
        {
            Now = fireAt > Now ? fireAt : Now;
            timer.SetResult();
        }
        return timer.Task;
    }

    private void DeliverNextEvent(TaskCompletionSource<NotifySignal> waiter)
    {
        var (at, signal) = _events[0];
        _events.RemoveAt(0);
        Now = at > Now ? at : Now;
        waiter.SetResult(signal);
    }

    private Task<OrderProgress> RunProgressActivity(string name, object? input)
    {
        Activities.Add(name);
        if (name == CollectionTasks.ExpireActivity)
        {
            return Task.FromResult(ExpireResult);
        }
        var request = (QueryRequest)input!;
        Queries.Add(request);
        Now += QueryTakes;
        try
        {
            return Task.FromResult(_queryResults.Dequeue()(request));
        }
        catch (TaskFailedException e)
        {
            return Task.FromException<OrderProgress>(e);
        }
    }
}
