namespace Collect.Core.Collection;

/// <summary>
/// The one registration list: every orchestrator, activity and external event, by name. The Functions app's
/// [Function] names and the local runner's DurableTaskRegistry both come from here, and a test compares this list
/// with the built functions.metadata.
/// </summary>
public static class CollectionTasks
{
    public const string Orchestrator = "CollectionOrchestrator";
    public const string ApplyActivity = "ApplyActivity";
    public const string QueryActivity = "QueryActivity";
    public const string ExpireActivity = "ExpireActivity";
    public const string EventDeliveryOrchestrator = "EventDeliveryOrchestrator";
    public const string DeliverEventActivity = "DeliverEventActivity";

    /// <summary>External event raised by the notify webhook.</summary>
    public const string NotifyEvent = "notify";

    public static IReadOnlyList<string> Orchestrators { get; } = [Orchestrator, EventDeliveryOrchestrator];
    public static IReadOnlyList<string> Activities { get; } = [ApplyActivity, QueryActivity, ExpireActivity, DeliverEventActivity];
}
