using Collect.Core.Operations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary>The retention jobs on a timer trigger (a singleton across the app's instances; runs never overlap).</summary>
public sealed class RetentionFunction(RetentionJobs retention)
{
    public const string Name = "Retention";

    [Function(Name)]
    public Task RunAsync(
        [TimerTrigger(HistoryRetention.Schedule)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        retention.RunAsync(durable, context.CancellationToken);
}
