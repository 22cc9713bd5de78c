using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>
/// Keeps the task hub's Instances and History tables bounded: purges every orchestration (order collections and
/// storefront deliveries alike) that ended (Completed, Failed, Terminated) and was created more than
/// <see cref="CollectOptions.HistoryRetention"/> ago, through the engine's own purge API. Running, pending and
/// suspended instances are never purged, whatever their age. The Functions app runs it on a timer, the local runner on
/// a hosted timer.
/// </summary>
/// <remarks>
/// Nothing in the product reads an ended instance after its order has moved on: the sweep treats a missing instance
/// like an ended one (it restarts a waiting order's orchestration either way), expired orders are re-queried through
/// the store, and a delivery is only restarted for an event still Pending, which no ended delivery leaves behind.
/// The order, its audit trail and its events stay in the orders table.
/// </remarks>
public sealed partial class HistoryRetention(IOptions<CollectOptions> options, TimeProvider time, ILogger<HistoryRetention> logger)
{
    /// <summary>The Functions app's timer schedule (NCRONTAB): hourly, at minute 17 (away from the sweep's minute 0).</summary>
    public const string Schedule = "0 17 * * * *";

    /// <summary>The statuses purged: instances that ended.</summary>
    public static IReadOnlyList<OrchestrationRuntimeStatus> PurgedStatuses { get; } =
    [
        OrchestrationRuntimeStatus.Completed,
        OrchestrationRuntimeStatus.Failed,
        OrchestrationRuntimeStatus.Terminated,
    ];

    /// <summary>The earliest creation time purged from; before the product existed, so nothing is left behind.</summary>
    public static readonly DateTimeOffset CreatedFrom = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Purges ended instances created before now minus the retention; returns how many were purged.</summary>
    public async Task<int> RunAsync(DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        var createdBefore = time.GetUtcNow() - options.Value.HistoryRetention;
        var result = await durable.PurgeAllInstancesAsync(new PurgeInstancesFilter(CreatedFrom, createdBefore, PurgedStatuses), cancellationToken)
            .ConfigureAwait(false);
        if (result.PurgedInstanceCount > 0)
        {
            LogPurged(result.PurgedInstanceCount, createdBefore);
        }
        return result.PurgedInstanceCount;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "History retention: purged {Purged} ended orchestration instances created before {CreatedBefore:O}")]
    private partial void LogPurged(int purged, DateTimeOffset createdBefore);
}
