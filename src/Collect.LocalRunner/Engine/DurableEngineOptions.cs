namespace Collect.LocalRunner.Engine;

/// <summary>
/// The Durable Task engine of the local runner: Azure Storage backend (Azurite locally). The tuning comes from
/// host.json's <c>extensions.durableTask</c> — the settings that ship to Azure (<see cref="HostJsonEngineSettings"/>);
/// only the local facts below come from configuration (section <c>DurableTask</c>).
/// </summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "DurableTask";

    /// <summary>The configuration keys of section <c>DurableTask</c>; anything else there is refused at start.</summary>
    public static IReadOnlyList<string> LocalSettings { get; } = [nameof(StorageConnection), nameof(HubName), nameof(WorkerId), nameof(SidecarPort)];

    /// <summary>Storage connection of the task hub. Falls back to <c>AzureWebJobsStorage</c>, as in the Functions app.</summary>
    public string? StorageConnection { get; set; }

    /// <summary>Task hub name. Empty: the <c>hubName</c> in host.json, with <c>%Setting%</c> resolved from configuration.</summary>
    public string? HubName { get; set; }

    /// <summary>Stable across restarts so a restarted runner reclaims its partition leases at once.</summary>
    public string WorkerId { get; set; } = Environment.MachineName;

    /// <summary>Port of the internal gRPC sidecar (loopback only). 0 picks a free port.</summary>
    public int SidecarPort { get; set; }

    /// <summary>host.json <c>storageProvider.partitionCount</c>: control-queue partitions.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>host.json <c>storageProvider.maxQueuePollingInterval</c>: longest idle wait between queue polls (timers fire at most this late).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// host.json <c>storageProvider.controlQueueVisibilityTimeout</c>: how long a dequeued control-queue message stays
    /// invisible to other workers (renewed while processed). After a crash it bounds how late the dead worker's
    /// orchestrations resume.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>host.json <c>storageProvider.workItemQueueVisibilityTimeout</c>: the same for activity messages.</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>host.json <c>maxConcurrentActivityFunctions</c>.</summary>
    public int MaxConcurrentActivities { get; set; } = 10;

    /// <summary>host.json <c>maxConcurrentOrchestratorFunctions</c>.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 10;
}
