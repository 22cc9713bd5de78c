using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// The operations workbook (infra/modules/workbook.bicep) in the compiled main template, and the query files the
/// alerts and the workbook load, as docs/monitoring.md documents them.
/// </summary>
public sealed partial class WorkbookTemplateTests
{
    private static readonly ArmTemplate Main = CompiledTemplates.Main;
    private static readonly ArmTemplate Workbook = Main.Module("workbook");

    [Fact]
    public void Every_environment_gets_the_workbook_under_its_Application_Insights()
    {
        var workbook = Workbook.SingleOfType("Microsoft.Insights/workbooks");
        var properties = workbook["properties"]!;

        Assert.Null(Main.Resources["workbook"]["condition"]);
        Assert.Equal("shared", workbook["kind"]!.GetValue<string>());
        Assert.Equal("workbook", properties["category"]!.GetValue<string>());
        Assert.Equal("Notebook/1.0", properties["version"]!.GetValue<string>());
        Assert.Equal("[parameters('applicationInsightsId')]", properties["sourceId"]!.GetValue<string>());
        Assert.Equal("main:[reference('monitoring').outputs.applicationInsightsId.value]", Workbook.Resolve("[parameters('applicationInsightsId')]"));
        Assert.Equal("main:[reference('monitoring').outputs.logAnalyticsId.value]", Workbook.Resolve("[parameters('logAnalyticsId')]"));
        // A workbook's name must be a GUID, the same one on every deployment of an environment.
        Assert.Equal("[parameters('name')]", workbook["name"]!.GetValue<string>());
        Assert.Equal("[guid(resourceGroup().id, parameters('namePrefix'), parameters('environmentName'), 'operations-workbook')]", Workbook.PassedParameter("name"));
        Assert.Equal("[format('Collect operations ({0})', parameters('environmentName'))]", Workbook.PassedParameter("displayName"));
    }

    [Fact]
    public void The_workbook_content_is_its_panels_on_the_workspace_serialized_by_Bicep()
    {
        var properties = Workbook.SingleOfType("Microsoft.Insights/workbooks")["properties"]!;
        var content = Workbook.Json["variables"]!["content"]!.AsObject();
        var items = content["items"]!.GetValue<string>();

        Assert.Equal("[string(variables('content'))]", properties["serializedData"]!.GetValue<string>());
        Assert.Equal("Notebook/1.0", content["version"]!.GetValue<string>());
        Assert.Equal(["[parameters('logAnalyticsId')]"], content["fallbackResourceIds"]!.AsArray().Select(id => id!.GetValue<string>()));
        // The fixed items (introduction, time range), then one query item per entry of the panels list.
        Assert.StartsWith("[concat(createArray(", items);
        Assert.Contains("map(variables('panels'), lambda('panel', createObject('type', 3,", items);
        Assert.Contains("'query', lambdaVariables('panel').query", items);
        Assert.Contains("'resourceType', 'microsoft.operationalinsights/workspaces', 'crossComponentResources', createArray(parameters('logAnalyticsId'))", items);
        Assert.Contains("'timeContextFromParameter', variables('timeRangeParameter')", items);
        Assert.Contains("'visualization', lambdaVariables('panel').visualization", items);
        Assert.Contains("createObject('type', 9, 'name', 'parameters'", items);
        Assert.Contains("'name', variables('timeRangeParameter'), 'label', 'Time range', 'type', 4, 'isRequired', true()", items);
        Assert.Equal("TimeRange", Workbook.Variable("timeRangeParameter"));
    }

    [Theory]
    [InlineData("orders-by-status", "timechart", "| where Name == \"collect.orders.ended\"", "by Status = tostring(Properties.status)")]
    [InlineData("orders-by-status-and-currency", "table", "| where Name in (\"collect.orders.created\", \"collect.orders.ended\")", "Currency = tostring(Properties.currency)")]
    [InlineData("time-to-final", "table", "| where Name == \"collect.orders.time_to_final\"", "percentilesw(IntervalMeanSeconds, ItemCount, 50, 90, 99)")]
    [InlineData("haipay-calls", "timechart", "| where Name == \"collect.haipay.calls\"", "tostring(Properties.outcome)")]
    [InlineData("haipay-latency", "table", "| where Name == \"collect.haipay.call.duration\"", "MeanSeconds = sum(Sum) / sum(ItemCount)")]
    [InlineData("deliveries", "timechart", "| where Name == \"collect.events.deliveries\"", "by Outcome = tostring(Properties.outcome)")]
    public void The_workbook_has_the_panel(string name, string visualization, string filter, string grouping)
    {
        var panel = Assert.Single(Panels(), panel => panel["name"]!.GetValue<string>() == name);
        var query = Query(Workbook, panel["query"]!.GetValue<string>());

        Assert.Equal(visualization, panel["visualization"]!.GetValue<string>());
        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains(filter, query);
        Assert.Contains(grouping, query);
    }

    [Fact]
    public void The_workbook_has_exactly_those_panels_reading_only_contract_metrics()
    {
        Assert.Equal(
            ["orders-by-status", "orders-by-status-and-currency", "time-to-final", "haipay-calls", "haipay-latency", "deliveries"],
            Panels().Select(panel => panel["name"]!.GetValue<string>()));
        foreach (var panel in Panels())
        {
            foreach (Match metric in MetricName().Matches(Query(Workbook, panel["query"]!.GetValue<string>())))
            {
                Assert.Contains(metric.Value, AlertsTemplateTests.ContractMetrics);
            }
        }
    }

    [Fact]
    public void Every_query_file_is_loaded_by_a_template_and_documented_verbatim()
    {
        var monitoring = File.ReadAllText(RepositoryRoot.Combine("docs", "monitoring.md"));
        var loaded = new[] { Main.Module("alerts"), Workbook }
            .SelectMany(module => module.Json["variables"]!.AsObject())
            .Where(variable => variable.Key.StartsWith("$fxv#", StringComparison.Ordinal))
            .Select(variable => variable.Value!.GetValue<string>())
            .ToList();

        var files = Directory.GetFiles(RepositoryRoot.Combine("infra", "queries"), "*.kql");
        Assert.Equal(12, files.Length);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.Contains(text, loaded);
            Assert.Contains($"`infra/queries/{Path.GetFileName(file)}`", monitoring);
            Assert.Contains($"```kusto\n{text}```", monitoring);
        }
        Assert.Equal(files.Length, loaded.Count);
    }

    private static IEnumerable<JsonObject> Panels() =>
        JsonNode.Parse(Workbook.Variable("panels"))!.AsArray().Select(panel => panel!.AsObject());

    private static string Query(ArmTemplate template, string reference)
    {
        var match = LoadedVariable().Match(reference);
        Assert.True(match.Success, reference);
        return template.Variable(match.Groups["name"].Value);
    }

    [GeneratedRegex(@"^\[variables\('(?<name>\$fxv#\d+)'\)\]$")]
    private static partial Regex LoadedVariable();

    [GeneratedRegex(@"collect\.[a-z_.]*[a-z_]")]
    private static partial Regex MetricName();
}
