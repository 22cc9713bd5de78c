using System.Text.RegularExpressions;
using TestSupport;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>A stack whose runner exports its telemetry with OpenTelemetry's console exporter (metrics every second).</summary>
public sealed class TelemetryStackFixture() : StackFixture(new StackSettings
{
    TaskHub = "e2etelemetry",
    Product = new Dictionary<string, string>
    {
        ["Telemetry:Exporter"] = "console",
        // OpenTelemetry reads its OTEL_* settings from configuration too.
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        // Spans and metrics only: the console log exporter writes from the logging thread, line by line, into the middle
        // of a span being printed, which then cannot be parsed (the runner's single-line console log still shows every
        // log message, and the PII checks below read it too).
        ["Logging:OpenTelemetry:LogLevel:Default"] = "None",
        ["Collect:QueryBackoff"] = "00:05:00",
        ["Collect:Deadline"] = "00:10:00",
    },
});

/// <summary>
/// The runner's OpenTelemetry as an operator sees it: one order's create, apply (with its HaiPay call), query and
/// storefront deliveries are spans of one trace, carried through the Durable Task engine into the orchestration and its
/// activities, and HaiPay's callback links to it; the product's metrics are exported; nothing exported carries the
/// customer's name, phone or email. Names are the contract's (README, Operating: telemetry), spelled out as an
/// operator's query would.
/// </summary>
public sealed class TelemetryScenarioTests(TelemetryStackFixture fixture, ITestOutputHelper output) : IClassFixture<TelemetryStackFixture>
{
    private readonly CollectStack _stack = fixture.Stack;

    [Fact]
    [Trait(ProductHost.RunnerOnlyTrait, ProductHost.RunnerOnly)] // Telemetry:Exporter is the runner's; the Functions app exports to Azure Monitor.
    public Task One_order_is_one_trace_from_create_through_the_engine_to_the_apply_and_the_callback() => _stack.RunAsync(output, async () =>
    {
        var mark = _stack.MarkOutput();
        var orderId = OrderRequest.NewOrderId("telemetry");
        var request = OrderRequest.Hkd(orderId);
        var created = await _stack.Orders.CreateAsync(request);
        Assert.True(created.Status is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Accepted, created.ToString());
        await _stack.Orders.WaitForStatusAsync(orderId, "AwaitingPayment", Scenario.Patience);
        await _stack.Control.ActAsync(orderId, "pay");
        await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);

        // Spans are exported in batches, each when it ends (the orchestration's when it completes), metrics every second.
        var spans = await WaitForAsync(mark, (found, text) =>
            found.FirstOrDefault(span => span.Name == "collect.create" && span.OrderId == orderId) is { } created
            && found.Any(span => span.TraceId == created.TraceId && span.Name == "orchestration:CollectionOrchestrator")
            && found.Any(span => span.TraceId == created.TraceId && span.Name == "collect.apply")
            && found.Any(span => span.TraceId == created.TraceId && IsHaiPayApply(span))
            && found.Any(span => span.Name == "collect.callback" && span.OrderId == orderId)
            && text.Contains("collect.orders.ended", StringComparison.Ordinal));
        var create = Assert.Single(spans, span => span.Name == "collect.create" && span.OrderId == orderId);
        var trace = spans.Where(span => span.TraceId == create.TraceId).ToList();
        output.WriteLine(string.Join("\n", trace.Select(span => $"{span.TraceId} {span.SpanId} ← {span.ParentSpanId} {span.Name}")));

        // HaiPay's callback is HaiPay's request, a trace of its own, linked to the order's.
        var callback = Assert.Single(spans, span => span.Name == "collect.callback" && span.OrderId == orderId);
        Assert.NotEqual(create.TraceId, callback.TraceId);
        Assert.Contains((create.TraceId, create.SpanId), callback.Links);

        // The storefront's request is the root; the create span is inside it.
        var inbound = Assert.Single(trace, span => span.Name == "POST /api/orders");
        Assert.Equal(inbound.SpanId, create.ParentSpanId);
        // The engine carried the trace context into the orchestration and its apply activity.
        Assert.Contains(trace, span => span.Name.StartsWith("orchestration:", StringComparison.Ordinal));
        var apply = Assert.Single(trace, span => span.Name == "collect.apply");
        Assert.Equal(orderId, apply.OrderId);
        var haiPayCall = Assert.Single(trace, span => span.ParentSpanId == apply.SpanId && IsHaiPayApply(span));
        Assert.Equal("Client", haiPayCall.Kind);

        // The engine's own traffic is not traced: no queue polling, no gRPC between the SDK and the sidecar.
        Assert.DoesNotContain(spans, span => span.Tags.GetValueOrDefault("url.full", "").Contains("TaskHubSidecarService", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, span => span.Tags.GetValueOrDefault("url.full", "").Contains("/messages", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, span => span.Tags.GetValueOrDefault("url.full", "").Contains(_stack.TaskHub + "History", StringComparison.OrdinalIgnoreCase));
        // The order's own storage work is: the create's writes are spans of the create.
        Assert.Contains(trace, span => span.ParentSpanId == create.SpanId && span.Tags.GetValueOrDefault("url.full", "").Contains("$batch", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, span => span.Name.Contains("healthz", StringComparison.Ordinal));

        var exported = _stack.OutputSince(mark);
        Assert.Contains("collect.orders.created", exported);
        Assert.Contains("collect.haipay.calls", exported);
        Assert.Contains("collect.orders.ended", exported);
        Assert.DoesNotContain(request.Name, exported);
        Assert.DoesNotContain(request.Phone, exported);
        Assert.DoesNotContain(request.Email, exported);
    });

    private static bool IsHaiPayApply(ExportedSpan span) => span.Name.StartsWith("POST", StringComparison.Ordinal)
        && span.Tags.GetValueOrDefault("url.full", "").EndsWith("/hkd/collect/apply", StringComparison.Ordinal);

    private async Task<IReadOnlyList<ExportedSpan>> WaitForAsync(StackOutputMark mark, Func<IReadOnlyList<ExportedSpan>, string, bool> condition)
    {
        var deadline = DateTime.UtcNow + Scenario.Patience;
        while (true)
        {
            // The console exporter batches: spans appear a few seconds after they end.
            var text = _stack.Product.Runs[^1].OutputSince(mark.Product.GetValueOrDefault(_stack.Product.Runs[^1]));
            var spans = ExportedSpan.Parse(text);
            if (condition(spans, text) || DateTime.UtcNow > deadline)
            {
                return spans;
            }
            await Task.Delay(500);
        }
    }
}

/// <summary>A span as OpenTelemetry's console exporter prints it (<c>Activity.TraceId: …</c> lines, then indented tags).</summary>
public sealed record ExportedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind, IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public string? OrderId => Tags.GetValueOrDefault("collect.order_id");

    private static readonly Regex Field = new(@"^\[[^\]]+\] Activity\.(?<key>\w+):\s*(?<value>.*)$");
    private static readonly Regex Link = new(@"^\[[^\]]+\]\s+(?<trace>[0-9a-f]{32})\s+(?<span>[0-9a-f]{16})\s*$");
    private static readonly Regex Tag = new(@"^\[[^\]]+\]\s+(?<key>[^:\s]+): (?<value>.*)$");

    public static IReadOnlyList<ExportedSpan> Parse(string output)
    {
        var spans = new List<ExportedSpan>();
        Dictionary<string, string>? fields = null;
        Dictionary<string, string>? tags = null;
        List<(string, string)>? links = null;
        var inTags = false;
        var inLinks = false;
        // A span still being written (the exporter prints it line by line) is left out until its scope line is there.
        var complete = false;
        foreach (var line in output.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            var field = Field.Match(text);
            if (field.Success)
            {
                if (field.Groups["key"].Value == "TraceId")
                {
                    Add();
                    fields = [];
                    tags = [];
                    links = [];
                    complete = false;
                }
                fields?.TryAdd(field.Groups["key"].Value, field.Groups["value"].Value.Trim());
                inTags = field.Groups["key"].Value == "Tags";
                inLinks = field.Groups["key"].Value == "Links";
                continue;
            }
            var link = Link.Match(text);
            if (inLinks && link.Success)
            {
                links?.Add((link.Groups["trace"].Value, link.Groups["span"].Value));
                continue;
            }
            var tag = Tag.Match(text);
            if (inTags && tag.Success)
            {
                tags?.TryAdd(tag.Groups["key"].Value, tag.Groups["value"].Value.Trim());
                continue;
            }
            inTags = false;
            if (text.Contains("Instrumentation scope (ActivitySource):", StringComparison.Ordinal))
            {
                inLinks = false;
                complete = true;
            }
        }
        Add();
        return spans;

        void Add()
        {
            if (complete && fields is not null && fields.TryGetValue("TraceId", out var traceId) && fields.TryGetValue("SpanId", out var spanId)
                && fields.TryGetValue("DisplayName", out var name))
            {
                spans.Add(new ExportedSpan(traceId, spanId, fields.GetValueOrDefault("ParentSpanId"), name,
                    fields.GetValueOrDefault("Kind", ""), tags!, links!));
            }
        }
    }
}
