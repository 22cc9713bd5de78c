using System.Globalization;
using System.Text.Json;

namespace Collect.LocalRunner.Engine;

/// <summary>
/// Reads the Durable engine tuning from host.json's <c>extensions.durableTask</c>, the one source of engine settings:
/// the Functions host reads the same properties, so the local runner (and every test on it) runs what Azure runs.
/// </summary>
public static class HostJsonEngineSettings
{
    /// <summary>The host.json properties (under <c>extensions.durableTask</c>) the local runner takes.</summary>
    public static IReadOnlyList<string> Properties { get; } =
    [
        "storageProvider.partitionCount",
        "storageProvider.maxQueuePollingInterval",
        "storageProvider.controlQueueVisibilityTimeout",
        "storageProvider.workItemQueueVisibilityTimeout",
        "maxConcurrentActivityFunctions",
        "maxConcurrentOrchestratorFunctions",
    ];

    /// <summary>Sets <paramref name="options"/>' tuning from host.json; a property host.json leaves out keeps the backend's default.</summary>
    public static DurableEngineOptions Apply(string hostJsonPath, DurableEngineOptions options)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!doc.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("durableTask", out var durable))
        {
            throw new InvalidOperationException($"{hostJsonPath} has no extensions.durableTask section.");
        }
        durable.TryGetProperty("storageProvider", out var storage);
        options.PartitionCount = Int(storage, "partitionCount") ?? options.PartitionCount;
        options.MaxQueuePollingInterval = Time(storage, "maxQueuePollingInterval") ?? options.MaxQueuePollingInterval;
        options.ControlQueueVisibilityTimeout = Time(storage, "controlQueueVisibilityTimeout") ?? options.ControlQueueVisibilityTimeout;
        options.WorkItemQueueVisibilityTimeout = Time(storage, "workItemQueueVisibilityTimeout") ?? options.WorkItemQueueVisibilityTimeout;
        options.MaxConcurrentActivities = Int(durable, "maxConcurrentActivityFunctions") ?? options.MaxConcurrentActivities;
        options.MaxConcurrentOrchestrations = Int(durable, "maxConcurrentOrchestratorFunctions") ?? options.MaxConcurrentOrchestrations;
        return options;
    }

    /// <summary>Refuses engine tuning in configuration: it would test behaviour that does not ship.</summary>
    public static void RefuseConfiguredTuning(IConfiguration configuration)
    {
        var stray = configuration.GetSection(DurableEngineOptions.SectionName).GetChildren()
            .Select(child => child.Key)
            .Where(key => !DurableEngineOptions.LocalSettings.Contains(key, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (stray.Count > 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(", ", stray.Select(key => $"{DurableEngineOptions.SectionName}:{key}"))}: engine tuning comes from host.json " +
                $"(extensions.durableTask), the settings that ship; only {string.Join(", ", DurableEngineOptions.LocalSettings)} are local.");
        }
    }

    private static int? Int(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value.GetInt32() : null;

    private static TimeSpan? Time(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
            ? TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : null;
}
