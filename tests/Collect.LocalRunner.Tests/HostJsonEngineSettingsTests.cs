using System.Text.Json;
using Collect.Core.Collection;
using Collect.LocalRunner.Engine;
using Microsoft.Extensions.Configuration;
using TestSupport;

namespace Collect.LocalRunner.Tests;

/// <summary>host.json is the one source of engine settings: the runner runs what the Functions host would.</summary>
public sealed class HostJsonEngineSettingsTests
{
    private static JsonElement DurableTask()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ShippedEngine.HostJson));
        return doc.RootElement.GetProperty("extensions").GetProperty("durableTask").Clone();
    }

    [Fact]
    public void The_runner_takes_every_tuning_value_from_the_shipped_host_json()
    {
        var durable = DurableTask();
        var storage = durable.GetProperty("storageProvider");

        var options = ShippedEngine.Options("w");

        Assert.Equal(storage.GetProperty("partitionCount").GetInt32(), options.PartitionCount);
        Assert.Equal(TimeSpan.Parse(storage.GetProperty("maxQueuePollingInterval").GetString()!), options.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.Parse(storage.GetProperty("controlQueueVisibilityTimeout").GetString()!), options.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.Parse(storage.GetProperty("workItemQueueVisibilityTimeout").GetString()!), options.WorkItemQueueVisibilityTimeout);
        Assert.Equal(durable.GetProperty("maxConcurrentActivityFunctions").GetInt32(), options.MaxConcurrentActivities);
        Assert.Equal(durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32(), options.MaxConcurrentOrchestrations);
    }

    [Fact]
    public void The_shipped_settings_are_deliberate_and_within_the_functions_hosts_bounds()
    {
        var options = ShippedEngine.Options("w");

        // A crashed worker's messages come back after the visibility timeout: one minute, the Functions host's minimum
        // for the control queue (its default of five minutes would stall a crashed instance that long).
        Assert.Equal(TimeSpan.FromMinutes(1), options.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.WorkItemQueueVisibilityTimeout);
        Assert.InRange(options.PartitionCount, 1, 16);
        Assert.True(options.MaxQueuePollingInterval > TimeSpan.Zero && options.MaxQueuePollingInterval <= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Every_property_the_runner_reads_is_set_in_the_shipped_host_json()
    {
        var durable = DurableTask();
        foreach (var path in HostJsonEngineSettings.Properties)
        {
            var element = path.Split('.').Aggregate(durable, (node, name) => node.GetProperty(name));
            Assert.NotEqual(JsonValueKind.Undefined, element.ValueKind);
        }
    }

    [Fact]
    public void The_runner_copies_the_repositorys_host_json_unchanged()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "host.json");

        Assert.Equal(File.ReadAllText(ShippedEngine.HostJson), File.ReadAllText(copied));
    }

    [Fact]
    public void Engine_tuning_in_configuration_is_refused_naming_host_json()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DurableTask:PartitionCount"] = "8",
            ["DurableTask:WorkerId"] = "fine",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => HostJsonEngineSettings.RefuseConfiguredTuning(configuration));

        Assert.Contains("DurableTask:PartitionCount", error.Message);
        Assert.Contains("host.json", error.Message);
        Assert.DoesNotContain("WorkerId:", error.Message);
    }

    [Fact]
    public void A_second_start_behaves_as_the_functions_hosts_NonRunningStates_rule_in_both_hosts()
    {
        // The Functions host dedupes Running, ContinuedAsNew, Pending and Suspended whatever the client asks; the
        // runner's sidecar honours the policy the product passes, which must be the same set.
        Assert.Equal("NonRunningStates", DurableTask().GetProperty("overridableExistingInstanceStates").GetString());
        var options = CollectionStart.Options("ORD-1");
        Assert.Equal(["ContinuedAsNew", "Pending", "Running", "Suspended"], options.DedupeStatuses!.Order());
    }
}
