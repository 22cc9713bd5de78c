using Collect.Core.Collection;
using DurableTask.Core.History;
using Google.Protobuf;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker.Grpc;
using Proto = Microsoft.DurableTask.Protobuf;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// Replays a recorded orchestration history through today's <see cref="CollectionOrchestrator"/> the way the
/// Functions host drives a .NET isolated orchestrator (<see cref="GrpcOrchestrationRunner.LoadAndRun(string, Microsoft.DurableTask.ITaskOrchestrator, IServiceProvider)"/>):
/// the past events are replayed, then the new events processed, and the actions the code decides come back. A change
/// to the orchestrator that schedules different work for the same past breaks the replay (non-determinism).
/// </summary>
public static class HistoryReplay
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithIndentation());

    /// <summary>A recording: the engine's history of an instance so far, as the protobuf request the worker would get.</summary>
    public static Proto.OrchestratorRequest Record(string instanceId, IEnumerable<HistoryEvent> history) =>
        new()
        {
            InstanceId = instanceId,
            PastEvents = { history.Select(ProtobufUtils.ToHistoryEventProto) },
        };

    public static string ToJson(Proto.OrchestratorRequest request) => Formatter.Format(request);

    public static Proto.OrchestratorRequest FromJson(string json) => Proto.OrchestratorRequest.Parser.ParseJson(json);

    /// <summary>
    /// Replays <paramref name="recorded"/> and then delivers <paramref name="newEvents"/> (at <paramref name="now"/>);
    /// returns what the orchestrator decided.
    /// </summary>
    public static Proto.OrchestratorResponse Replay(
        Proto.OrchestratorRequest recorded, DateTime now, IServiceProvider services, params Proto.HistoryEvent[] newEvents)
    {
        var request = recorded.Clone();
        request.NewEvents.Add(new Proto.HistoryEvent
        {
            EventId = -1,
            Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now),
            OrchestratorStarted = new Proto.OrchestratorStartedEvent(),
        });
        request.NewEvents.Add(newEvents);
        var encoded = Convert.ToBase64String(request.ToByteArray());
        var response = GrpcOrchestrationRunner.LoadAndRun(encoded, new CollectionOrchestrator(), services);
        return Proto.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(response));
    }

    /// <summary>HaiPay's callback as the webhook raises it.</summary>
    public static Proto.HistoryEvent Notify(DateTime now, NotifySignal signal) => new()
    {
        EventId = -1,
        Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(now),
        EventRaised = new Proto.EventRaisedEvent
        {
            Name = CollectionTasks.NotifyEvent,
            // As the SDK's default data converter writes it (the recorded inputs are in the same shape).
            Input = System.Text.Json.JsonSerializer.Serialize(signal),
        },
    };
}
