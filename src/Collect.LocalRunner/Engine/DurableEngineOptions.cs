namespace Collect.LocalRunner.Engine;

/// <summary>
/// The Durable Task engine of the local runner: Azure Storage backend (Azurite locally), tuned for one machine.
/// Section <c>DurableTask</c>.
/// </summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "DurableTask";

    /// <summary>Storage connection of the task hub. Falls back to <c>AzureWebJobsStorage</c>, as in the Functions app.</summary>
    public string? StorageConnection { get; set; }

    /// <summary>Task hub name. Empty: the <c>hubName</c> in host.json, with <c>%Setting%</c> resolved from configuration.</summary>
    public string? HubName { get; set; }

    /// <summary>Control-queue partitions. 4 (the Functions default) keeps the hub compatible with the Functions app.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Longest idle wait between queue polls; timers fire at most this late. The backend's default is 30 s.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a dequeued control-queue or work-item message stays invisible to other workers (renewed while it is
    /// being processed). After a crash, the messages the dead process held come back after this long, so it bounds
    /// how late a killed runner's in-flight orchestrations resume. The backend's default is 5 minutes.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxConcurrentActivities { get; set; } = 100;

    public int MaxConcurrentOrchestrations { get; set; } = 100;

    /// <summary>Stable across restarts so a restarted runner reclaims its partition leases at once.</summary>
    public string WorkerId { get; set; } = Environment.MachineName;

    /// <summary>Port of the internal gRPC sidecar (loopback only). 0 picks a free port.</summary>
    public int SidecarPort { get; set; }
}
