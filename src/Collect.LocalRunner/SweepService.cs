using Collect.Core;
using Collect.Core.Operations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner;

/// <summary>
/// The reconciliation sweep on a hosted timer, every <see cref="CollectOptions.SweepInterval"/> (the Functions app runs
/// the same <see cref="ReconciliationSweep"/> on its timer trigger).
/// </summary>
public sealed class SweepService(
    ReconciliationSweep sweep,
    DurableTaskClient durable,
    IOptions<CollectOptions> options,
    ILogger<SweepService> logger) : TimedJobService(logger)
{
    protected override string Job => "Sweep";

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => sweep.RunAsync(durable, cancellationToken);
}
