using System.Reflection;
using System.Text.Json;
using Collect.Core.Http;
using Collect.Core;
using Collect.Core.Collection;
using Collect.Core.Operations;
using Collect.Functions;
using TestSupport;

namespace Collect.Functions.Tests;

/// <summary>
/// The functions.metadata the Functions SDK generated for the built app (what the host indexes in Azure) lists exactly
/// the registration list's orchestrator and activities, the three HTTP functions and the sweep's timer, with the
/// expected bindings.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonElement>> Functions = new(Load);

    private static IReadOnlyDictionary<string, JsonElement> Load()
    {
        // The Functions project is built with the same configuration as this test project (it is a ProjectReference).
        var configuration = typeof(FunctionsMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var path = RepositoryRoot.Combine("src", "Collect.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} does not exist: build src/Collect.Functions first.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    private static IReadOnlyList<JsonElement> Bindings(string function) =>
        Functions.Value[function].GetProperty("bindings").EnumerateArray().ToList();

    private static JsonElement Single(string function, string type) =>
        Assert.Single(Bindings(function), b => b.GetProperty("type").GetString() == type);

    [Fact]
    public void It_lists_exactly_the_registration_list_and_the_http_functions()
    {
        string[] expected =
        [
            .. CollectionTasks.Orchestrators,
            .. CollectionTasks.Activities,
            OrdersFunctions.CreateOrder,
            OrdersFunctions.GetOrder,
            NotifyFunction.HaiPayNotify,
            SweepFunction.Name,
            RetentionFunction.Name,
            HealthFunction.Name,
            .. OpsFunctionNames,
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), Functions.Value.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>The operations API and console functions (their names are the [Function] attributes of OpsFunctions).</summary>
    private static readonly string[] OpsFunctionNames = typeof(OpsFunctions).GetMethods()
        .Select(m => m.GetCustomAttribute<Microsoft.Azure.Functions.Worker.FunctionAttribute>()?.Name)
        .OfType<string>()
        .ToArray();

    [Fact]
    public void The_operations_routes_are_anonymous_at_the_functions_level_because_entra_id_guards_them()
    {
        Assert.Equal(CollectRoutes.All.Count(r => r.Route.StartsWith("ops", StringComparison.Ordinal)), OpsFunctionNames.Length);
        foreach (var name in OpsFunctionNames)
        {
            var trigger = Single(name, "httpTrigger");
            Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
            Assert.StartsWith("ops", trigger.GetProperty("route").GetString());
        }
    }

    [Fact]
    public void Orchestrators_have_one_orchestration_trigger_and_nothing_else()
    {
        foreach (var name in CollectionTasks.Orchestrators)
        {
            var binding = Assert.Single(Bindings(name));
            Assert.Equal(("orchestrationTrigger", "In"), (binding.GetProperty("type").GetString(), binding.GetProperty("direction").GetString()));
        }
    }

    [Fact]
    public void Activities_have_one_activity_trigger_and_those_that_settle_orders_a_durable_client_for_event_delivery()
    {
        foreach (var name in CollectionTasks.Activities)
        {
            var trigger = Single(name, "activityTrigger");
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            var expected = name == CollectionTasks.DeliverEventActivity ? 1 : 2;
            Assert.Equal(expected, Bindings(name).Count);
            Assert.Equal(expected - 1, Bindings(name).Count(b => b.GetProperty("type").GetString() == "durableClient"));
        }
    }

    [Theory]
    [InlineData(OrdersFunctions.CreateOrder, "Function", "post", "orders", true)]
    [InlineData(OrdersFunctions.GetOrder, "Function", "get", "orders/{orderId}", false)]
    [InlineData(NotifyFunction.HaiPayNotify, "Anonymous", "post", "haipay/notify", true)]
    [InlineData(HealthFunction.Name, "Anonymous", "get", "health", false)]
    public void Http_functions_have_their_route_method_auth_level_and_durable_client(
        string name, string authLevel, string method, string route, bool durableClient)
    {
        var trigger = Single(name, "httpTrigger");
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(route, trigger.GetProperty("route").GetString());

        var output = Single(name, "http");
        Assert.Equal(("$return", "Out"), (output.GetProperty("name").GetString(), output.GetProperty("direction").GetString()));

        Assert.Equal(durableClient ? 1 : 0, Bindings(name).Count(b => b.GetProperty("type").GetString() == "durableClient"));
        Assert.Equal(durableClient ? 3 : 2, Bindings(name).Count);
    }

    [Fact]
    public void The_http_routes_are_the_shared_route_list_the_local_runner_serves()
    {
        var routes = Functions.Value.Values
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .Select(b => (Method: b.GetProperty("methods")[0].GetString()!.ToUpperInvariant(), Route: b.GetProperty("route").GetString()!))
            .Order();

        Assert.Equal(CollectRoutes.All.Order(), routes);
    }

    [Fact]
    public void The_sweep_runs_on_a_timer_every_minute_with_a_durable_client_as_the_local_runner_does()
    {
        var timer = Single(SweepFunction.Name, "timerTrigger");
        Assert.Equal(ReconciliationSweep.Schedule, timer.GetProperty("schedule").GetString());
        Assert.Equal("0 * * * * *", ReconciliationSweep.Schedule);
        Assert.Equal(TimeSpan.FromMinutes(1), new CollectOptions().SweepInterval);
        Assert.Single(Bindings(SweepFunction.Name), b => b.GetProperty("type").GetString() == "durableClient");
        Assert.Equal(2, Bindings(SweepFunction.Name).Count);
    }

    [Fact]
    public void The_retention_jobs_run_on_an_hourly_timer_with_a_durable_client_as_the_local_runner_does()
    {
        var timer = Single(RetentionFunction.Name, "timerTrigger");
        Assert.Equal(HistoryRetention.Schedule, timer.GetProperty("schedule").GetString());
        Assert.Equal("0 17 * * * *", HistoryRetention.Schedule);
        Assert.Equal(TimeSpan.FromHours(1), new CollectOptions().RetentionInterval);
        Assert.Single(Bindings(RetentionFunction.Name), b => b.GetProperty("type").GetString() == "durableClient");
        Assert.Equal(2, Bindings(RetentionFunction.Name).Count);
    }
}
