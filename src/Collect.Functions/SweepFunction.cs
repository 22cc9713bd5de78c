using Collect.Core.Operations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary>The reconciliation sweep on a timer trigger (a singleton across the app's instances; runs never overlap).</summary>
public sealed class SweepFunction(ReconciliationSweep sweep)
{
    public const string Name = "ReconciliationSweep";

    [Function(Name)]
    public Task RunAsync(
        [TimerTrigger(ReconciliationSweep.Schedule)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        sweep.RunAsync(durable, context.CancellationToken);
}
