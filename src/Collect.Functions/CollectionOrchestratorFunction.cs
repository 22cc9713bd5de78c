using Collect.Core.Collection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Collect.Functions;

/// <summary>The collection orchestration (instance id = orderId), run by the Durable Functions engine.</summary>
public static class CollectionOrchestratorFunction
{
    [Function(CollectionTasks.Orchestrator)]
    public static Task<CollectionResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new CollectionOrchestrator().RunAsync(context, context.GetInput<CollectionInput>()!);
}
