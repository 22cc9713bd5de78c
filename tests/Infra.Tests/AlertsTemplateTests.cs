using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Collect.Core.Collection;

namespace Infra.Tests;

/// <summary>The Azure Monitor alert rules and their action group (infra/modules/alerts.bicep) in the compiled main template.</summary>
public sealed partial class AlertsTemplateTests
{
    private static readonly ArmTemplate Main = CompiledTemplates.Main;
    private static readonly ArmTemplate Alerts = Main.Module("alerts");

    /// <summary>Every metric of the shared telemetry contract (issue 10), by its OpenTelemetry instrument name.</summary>
    public static readonly IReadOnlySet<string> ContractMetrics = new HashSet<string>
    {
        "collect.orders.created", "collect.orders.ended", "collect.orders.time_to_final", "collect.haipay.calls",
        "collect.haipay.call.duration", "collect.callbacks.verifications", "collect.callbacks.suppressed",
        "collect.events.deliveries", "collect.keys.loads", "collect.keyvault.secret_reads", "collect.sweep.actions",
        "collect.sweep.overdue",
    };

    private static readonly string[] RuleNames =
    [
        "needs-review", "overdue", "failed-orchestrations", "callback-verification-failures", "haipay-transient-errors",
        "deliveries-failing",
    ];

    [Fact]
    public void Alerts_are_deployed_only_when_asked_for()
    {
        Assert.False(Main.Parameters["deployAlerts"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("bool", Main.Parameters["deployAlerts"]!["type"]!.GetValue<string>());
        Assert.Equal("[parameters('deployAlerts')]", Main.Resources["alerts"]["condition"]!.GetValue<string>());
        // Everything the alerts consist of is inside that one conditional deployment.
        var alerting = Main.AllResources()
            .Where(item => ArmTemplate.Type(item.Resource) is "Microsoft.Insights/scheduledQueryRules" or "Microsoft.Insights/actionGroups")
            .Select(item => item.Template.Path)
            .Distinct();
        Assert.Equal(["main/alerts"], alerting);
    }

    [Fact]
    public void Alerts_without_an_email_address_fail_the_deployment()
    {
        Assert.Equal("", Main.Parameters["alertEmail"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal(
            "[if(and(parameters('deployAlerts'), empty(parameters('alertEmail'))), fail('alertEmail is required when deployAlerts is true.'), parameters('alertEmail'))]",
            Main.Variable("checkedAlertEmail"));
        Assert.Equal("main:[variables('checkedAlertEmail')]", Alerts.Resolve("[parameters('alertEmail')]"));
    }

    [Fact]
    public void The_action_group_emails_the_alert_address_with_the_common_schema()
    {
        var actionGroup = Alerts.SingleOfType("Microsoft.Insights/actionGroups");
        var properties = actionGroup["properties"]!;

        Assert.Equal("global", actionGroup["location"]!.GetValue<string>());
        Assert.True(properties["enabled"]!.GetValue<bool>());
        var receiver = Assert.Single(properties["emailReceivers"]!.AsArray())!;
        Assert.Equal("[parameters('alertEmail')]", receiver["emailAddress"]!.GetValue<string>());
        Assert.True(receiver["useCommonAlertSchema"]!.GetValue<bool>());
        Assert.Equal("[parameters('actionGroupShortName')]", properties["groupShortName"]!.GetValue<string>());
        Assert.Equal(
            "[take(format('{0}-{1}', parameters('namePrefix'), parameters('environmentName')), 12)]",
            Alerts.PassedParameter("actionGroupShortName"));
        Assert.Equal(["emailReceivers"], properties.AsObject().Select(property => property.Key).Where(key => key.EndsWith("Receivers", StringComparison.Ordinal)));
    }

    [Fact]
    public void There_are_exactly_the_six_rules_of_the_issue()
    {
        var resource = RuleResource();

        Assert.Equal("[length(variables('rules'))]", resource["copy"]!["count"]!.GetValue<string>());
        Assert.Equal(RuleNames.Order(), Rules().Select(rule => Text(rule, "name")).Order());
        Assert.Equal("[format('{0}-{1}', parameters('namePrefix'), variables('rules')[copyIndex()].name)]", resource["name"]!.GetValue<string>());
        Assert.Equal("[format('alert-{0}-{1}', parameters('namePrefix'), parameters('environmentName'))]", Alerts.PassedParameter("namePrefix"));
    }

    [Fact]
    public void Every_rule_is_a_log_alert_on_the_Log_Analytics_workspace()
    {
        var resource = RuleResource();
        var properties = resource["properties"]!;

        Assert.Equal("LogAlert", resource["kind"]!.GetValue<string>());
        Assert.Equal("2023-12-01", resource["apiVersion"]!.GetValue<string>());
        Assert.Equal(["[parameters('logAnalyticsId')]"], properties["scopes"]!.AsArray().Select(scope => scope!.GetValue<string>()));
        Assert.Equal("main:[reference('monitoring').outputs.logAnalyticsId.value]", Alerts.Resolve("[parameters('logAnalyticsId')]"));
        Assert.Equal(
            "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]",
            Main.Module("monitoring").Outputs["logAnalyticsId"]!["value"]!.GetValue<string>());
        Assert.Equal("[parameters('location')]", resource["location"]!.GetValue<string>());
        Assert.Equal("main:[parameters('location')]", Alerts.Resolve("[parameters('location')]"));
    }

    [Fact]
    public void Every_rule_notifies_the_action_group_and_resolves_itself()
    {
        var resource = RuleResource();
        var properties = resource["properties"]!;
        var actionGroupName = Alerts.SingleOfType("Microsoft.Insights/actionGroups")["name"]!.GetValue<string>()[1..^1];

        Assert.True(properties["enabled"]!.GetValue<bool>());
        Assert.True(properties["autoMitigate"]!.GetValue<bool>());
        Assert.Null(properties["muteActionsDuration"]);
        Assert.Equal(
            [$"[resourceId('Microsoft.Insights/actionGroups', {actionGroupName})]"],
            properties["actions"]!["actionGroups"]!.AsArray().Select(id => id!.GetValue<string>()));
    }

    [Fact]
    public void Every_rule_takes_its_condition_and_texts_from_its_entry_in_the_rules_list()
    {
        var properties = RuleResource()["properties"]!;
        var condition = Assert.Single(properties["criteria"]!["allOf"]!.AsArray())!;

        string Entry(string field) => $"[variables('rules')[copyIndex()].{field}]";
        Assert.Equal(Entry("displayName"), properties["displayName"]!.GetValue<string>());
        Assert.Equal(Entry("description"), properties["description"]!.GetValue<string>());
        Assert.Equal(Entry("severity"), properties["severity"]!.GetValue<string>());
        Assert.Equal(Entry("evaluationFrequency"), properties["evaluationFrequency"]!.GetValue<string>());
        Assert.Equal(Entry("windowSize"), properties["windowSize"]!.GetValue<string>());
        Assert.Equal(Entry("query"), condition["query"]!.GetValue<string>());
        Assert.Equal(Entry("measure"), condition["metricMeasureColumn"]!.GetValue<string>());
        Assert.Equal(Entry("timeAggregation"), condition["timeAggregation"]!.GetValue<string>());
        Assert.Equal(Entry("threshold"), condition["threshold"]!.GetValue<string>());
        Assert.Equal("GreaterThan", condition["operator"]!.GetValue<string>());
        Assert.Equal(1, condition["failingPeriods"]!["numberOfEvaluationPeriods"]!.GetValue<int>());
        Assert.Equal(1, condition["failingPeriods"]!["minFailingPeriodsToAlert"]!.GetValue<int>());
    }

    [Fact]
    public void Any_order_entering_NeedsReview_alerts()
    {
        var rule = Rule("needs-review");
        var query = Query(rule);

        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains("| where Name == \"collect.orders.ended\"", query);
        Assert.Contains("| where tostring(Properties.status) == \"NeedsReview\"", query);
        AssertFiresAbove(rule, "Orders", "Total", 0);
        AssertSchedule(rule, severity: 2, frequency: "PT5M", window: "PT15M");
        AssertDescriptionPointsTo(rule, "GET /api/ops/orders?status=NeedsReview", "POST /api/ops/orders/{orderId}/resolve");
    }

    [Fact]
    public void Orders_the_sweep_finds_not_final_past_deadline_and_grace_alert()
    {
        var rule = Rule("overdue");
        var query = Query(rule);

        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains("| where Name == \"collect.sweep.overdue\"", query);
        AssertFiresAbove(rule, "Orders", "Total", 0);
        AssertSchedule(rule, severity: 2, frequency: "PT5M", window: "PT15M");
        AssertDescriptionPointsTo(rule, "GET /api/ops/orders?status=overdue", "POST /api/ops/orders/{orderId}/restart");
    }

    [Fact]
    public void Failed_invocations_of_the_products_orchestrators_alert()
    {
        var rule = Rule("failed-orchestrations");
        var query = Query(rule);

        Assert.StartsWith("AppRequests\n", query);
        Assert.Contains("| where Success == false", query);
        var names = OrchestratorNames().Match(query);
        Assert.True(names.Success, query);
        var quoted = names.Groups["names"].Value.Split(", ").Select(name => name.Trim('"')).ToList();
        // The Functions host's invocation (the function name) and the Durable Task SDK's span ("orchestration:<name>").
        Assert.Equal(
            CollectionTasks.Orchestrators.SelectMany(name => new[] { name, $"orchestration:{name}" }).Order(),
            quoted.Order());
        AssertFiresAbove(rule, "Failures", "Total", 0);
        AssertSchedule(rule, severity: 1, frequency: "PT5M", window: "PT15M");
        AssertDescriptionPointsTo(rule, "GET /api/ops/orders/{orderId}", "POST /api/ops/orders/{orderId}/restart");
    }

    [Fact]
    public void Callback_verification_failures_above_the_threshold_alert()
    {
        var rule = Rule("callback-verification-failures");
        var query = Query(rule);

        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains("| where Name == \"collect.callbacks.verifications\"", query);
        Assert.Contains("| where tostring(Properties.result) != \"verified\"", query);
        Assert.Equal("[parameters('callbackFailureThreshold')]", Text(rule, "threshold"));
        Assert.Equal("main:[parameters('alertCallbackFailureThreshold')]", Alerts.Resolve("[parameters('callbackFailureThreshold')]"));
        Assert.Equal(10, Main.Parameters["alertCallbackFailureThreshold"]!["defaultValue"]!.GetValue<int>());
        Assert.Equal(1, Main.Parameters["alertCallbackFailureThreshold"]!["minValue"]!.GetValue<int>());
        Assert.Equal("Failures", Text(rule, "measure"));
        Assert.Equal("Total", Text(rule, "timeAggregation"));
        Assert.Contains("Failures = sum(Sum)", query);
        AssertSchedule(rule, severity: 2, frequency: "PT5M", window: "PT15M");
        Assert.Contains("parameters('callbackFailureThreshold')", Text(rule, "description"));
        AssertDescriptionPointsTo(rule, "GET /api/ops/orders/{orderId}", "haipay-platform-public-key");
    }

    [Fact]
    public void A_HaiPay_transient_error_rate_above_the_threshold_alerts_only_past_a_minimum_of_calls()
    {
        var rule = Rule("haipay-transient-errors");
        var query = Query(rule);

        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains("| where Name == \"collect.haipay.calls\"", query);
        Assert.Contains("| summarize Calls = sum(Sum), Transient = sumif(Sum, tostring(Properties.outcome) == \"transient\")", query);
        // One transient error out of one call must not page: below ten calls the query returns nothing.
        Assert.Contains("| where Calls >= 10", query);
        Assert.Contains("| project TransientPercent = 100.0 * Transient / Calls", query);
        Assert.Equal("[parameters('haiPayTransientPercentThreshold')]", Text(rule, "threshold"));
        Assert.Equal("main:[parameters('alertHaiPayTransientPercent')]", Alerts.Resolve("[parameters('haiPayTransientPercentThreshold')]"));
        Assert.Equal(20, Main.Parameters["alertHaiPayTransientPercent"]!["defaultValue"]!.GetValue<int>());
        Assert.Equal(100, Main.Parameters["alertHaiPayTransientPercent"]!["maxValue"]!.GetValue<int>());
        Assert.Equal("TransientPercent", Text(rule, "measure"));
        Assert.Equal("Maximum", Text(rule, "timeAggregation"));
        AssertSchedule(rule, severity: 1, frequency: "PT5M", window: "PT15M");
        AssertDescriptionPointsTo(rule, "GET /api/ops/orders?status=overdue", "POST /api/ops/orders/{orderId}/requery");
    }

    [Fact]
    public void Storefront_deliveries_failing_with_none_delivered_for_an_hour_alert()
    {
        var rule = Rule("deliveries-failing");
        var query = Query(rule);

        Assert.StartsWith("AppMetrics\n", query);
        Assert.Contains("| where Name == \"collect.events.deliveries\"", query);
        Assert.Contains("Delivered = sumif(Sum, tostring(Properties.outcome) == \"delivered\")", query);
        Assert.Contains("Failing = sumif(Sum, tostring(Properties.outcome) in (\"failed\", \"abandoned\"))", query);
        Assert.Contains("| where Delivered == 0", query);
        AssertFiresAbove(rule, "Failing", "Total", 0);
        AssertSchedule(rule, severity: 2, frequency: "PT15M", window: "PT1H");
        AssertDescriptionPointsTo(rule, "GET /api/ops/events/undelivered", "POST /api/ops/events/redeliver");
    }

    [Fact]
    public void Rule_queries_read_only_the_contract_metrics_and_produce_the_column_they_are_measured_by()
    {
        foreach (var rule in Rules())
        {
            var query = Query(rule);
            foreach (Match metric in MetricName().Matches(query))
            {
                Assert.Contains(metric.Value, ContractMetrics);
            }
            // The last step leaves one row with one column, the measure (no "by": no dimensions).
            var last = query.TrimEnd('\n').Split('\n')[^1];
            Assert.Matches($@"^\| (summarize|project) {Text(rule, "measure")}( = [^,]+)?$", last);
            Assert.DoesNotContain(" by ", last);
            // The rule's window is the time range; a query of its own would hide data or double the window.
            Assert.DoesNotContain("ago(", query);
            Assert.DoesNotContain("TimeGenerated", query);
        }
    }

    [Fact]
    public void Every_description_says_what_to_do_in_the_operations_console()
    {
        Assert.Equal("operations console (https://<app host>/api/ops)", Alerts.Variable("console"));
        foreach (var rule in Rules())
        {
            var description = Text(rule, "description");
            Assert.Contains("First response:", description);
            Assert.Contains("variables('console')", description);
            Assert.StartsWith("Collect: ", Text(rule, "displayName"));
        }
    }

    [Fact]
    public void README_names_every_alert_rule()
    {
        var readme = File.ReadAllText(TestSupport.RepositoryRoot.Combine("README.md"));

        foreach (var rule in Rules())
        {
            Assert.Contains($"**{Text(rule, "displayName")}**", readme);
        }
        Assert.Contains("`deployAlerts`", readme);
        Assert.Contains("`ALERT_EMAIL`", readme);
    }

    private static JsonObject RuleResource() => Alerts.SingleOfType("Microsoft.Insights/scheduledQueryRules");

    private static IEnumerable<JsonObject> Rules() => JsonNode.Parse(Alerts.Variable("rules"))!.AsArray().Select(rule => rule!.AsObject());

    private static JsonObject Rule(string name) => Assert.Single(Rules(), rule => Text(rule, "name") == name);

    private static string Text(JsonObject rule, string field) => ArmTemplate.Text(rule[field]!);

    /// <summary>The rule's query text (Bicep puts each loadTextContent into a variable of its own).</summary>
    private static string Query(JsonObject rule)
    {
        var reference = LoadedVariable().Match(Text(rule, "query"));
        Assert.True(reference.Success, Text(rule, "query"));
        return Alerts.Variable(reference.Groups["name"].Value);
    }

    private static void AssertFiresAbove(JsonObject rule, string measure, string aggregation, int threshold)
    {
        Assert.Equal(measure, Text(rule, "measure"));
        Assert.Equal(aggregation, Text(rule, "timeAggregation"));
        Assert.Equal(threshold, rule["threshold"]!.GetValue<int>());
    }

    private static void AssertSchedule(JsonObject rule, int severity, string frequency, string window)
    {
        Assert.Equal(severity, rule["severity"]!.GetValue<int>());
        Assert.Equal(frequency, Text(rule, "evaluationFrequency"));
        Assert.Equal(window, Text(rule, "windowSize"));
    }

    private static void AssertDescriptionPointsTo(JsonObject rule, params string[] routes)
    {
        // Bicep's format() doubles the braces of a literal {orderId}.
        var description = Text(rule, "description").Replace("{{", "{").Replace("}}", "}");
        foreach (var route in routes)
        {
            Assert.Contains(route, description);
        }
    }

    [GeneratedRegex(@"^\[variables\('(?<name>\$fxv#\d+)'\)\]$")]
    private static partial Regex LoadedVariable();

    [GeneratedRegex(@"\| where Name in \((?<names>""[^)]*"")\)")]
    private static partial Regex OrchestratorNames();

    [GeneratedRegex(@"collect\.[a-z_.]*[a-z_]")]
    private static partial Regex MetricName();
}
