using Collect.Core;
using Collect.Core.Operations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner;

/// <summary>
/// The retention jobs (<see cref="RetentionJobs"/>) on a hosted timer, every <see cref="CollectOptions.RetentionInterval"/>
/// (the Functions app runs the same jobs on its timer trigger).
/// </summary>
public sealed class RetentionService(
    RetentionJobs retention,
    DurableTaskClient durable,
    IOptions<CollectOptions> options,
    ILogger<RetentionService> logger) : TimedJobService(logger)
{
    protected override string Job => "Retention";

    protected override TimeSpan Interval => options.Value.RetentionInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => retention.RunAsync(durable, cancellationToken);
}
