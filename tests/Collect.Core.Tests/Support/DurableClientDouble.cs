using Collect.Core.Collection;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Moq;

namespace Collect.Core.Tests.Support;

/// <summary>
/// A mocked <see cref="DurableTaskClient"/> that behaves like the backend for one test: a start must carry an explicit
/// reuse policy (dedupe statuses); a start meeting an instance whose status it dedupes fails with "already exists", any
/// other replaces it, as on Azure Storage. <see cref="OnStart"/> plays the orchestration's first step, and raised events
/// are recorded.
/// </summary>
public sealed class DurableClientDouble
{
    private readonly Dictionary<string, OrchestrationRuntimeStatus> _instances = new();
    private int _starts;

    public DurableClientDouble()
    {
        Mock.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(
                It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Returns(async (TaskName name, object? input, StartOrchestrationOptions? options, CancellationToken _) =>
            {
                var id = options!.InstanceId!;
                if (input is Collect.Core.Events.EventDeliveryInput delivery)
                {
                    lock (EventDeliveries)
                    {
                        EventDeliveries.Add(delivery);
                    }
                    return id;
                }
                var dedupe = options.DedupeStatuses ?? throw new InvalidOperationException("A start without an explicit reuse policy.");
                lock (_instances)
                {
                    if (_instances.TryGetValue(id, out var status) && dedupe.Contains(status.ToString()))
                    {
                        throw new InvalidOperationException($"An orchestration instance with ID {id} already exists.");
                    }
                    _instances[id] = OrchestrationRuntimeStatus.Running;
                    _starts++;
                }
                Inputs.Add((CollectionInput)input!);
                if (OnStart is not null)
                {
                    await OnStart(id);
                }
                return id;
            });
        Mock.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, bool _, CancellationToken _) =>
            {
                lock (_instances)
                {
                    return _instances.TryGetValue(id, out var status)
                        ? new OrchestrationMetadata(CollectionTasks.Orchestrator, id) { RuntimeStatus = status }
                        : null;
                }
            });
        Mock.Setup(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string id, string name, object? payload, CancellationToken _) =>
            {
                lock (Events)
                {
                    Events.Add((id, name, (NotifySignal)payload!));
                }
                if (OnRaise is not null)
                {
                    await OnRaise(id);
                }
            });
    }

    public Mock<DurableTaskClient> Mock { get; } = new("test");

    public DurableTaskClient Client => Mock.Object;

    /// <summary>Runs when an instance starts (before the start call returns), e.g. the apply step.</summary>
    public Func<string, Task>? OnStart { get; set; }

    /// <summary>Runs when an event is raised (before the raise call returns), e.g. the orchestration moving on.</summary>
    public Func<string, Task>? OnRaise { get; set; }

    /// <summary>Instances started successfully.</summary>
    public int Starts
    {
        get
        {
            lock (_instances)
            {
                return _starts;
            }
        }
    }

    public System.Collections.Concurrent.ConcurrentBag<CollectionInput> Inputs { get; } = [];

    /// <summary>Storefront event deliveries started (not counted in <see cref="Starts"/>).</summary>
    public List<Collect.Core.Events.EventDeliveryInput> EventDeliveries { get; } = [];

    public List<(string InstanceId, string Name, NotifySignal Signal)> Events { get; } = [];

    public void SetStatus(string instanceId, OrchestrationRuntimeStatus status)
    {
        lock (_instances)
        {
            _instances[instanceId] = status;
        }
    }
}
