using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Collect.Core.Http;
using Collect.Core.Telemetry;
using Collect.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Telemetry;

/// <summary>
/// What a host exports when it listens to the product's meter and source: a real create through the handler, applied at
/// the real sandbox, emits the contract's metrics with their tags and the create and apply spans carrying the orderId,
/// and no tag or attribute anywhere repeats the customer's name, phone or email.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class TelemetryEmissionTests(CollectEnvironment environment)
{
    [Fact]
    public async Task A_create_emits_the_contract_metrics_and_spans_with_the_order_id_and_no_personal_data()
    {
        using var product = environment.CreateProduct(new Dictionary<string, string?> { ["Collect:CreateWait"] = "00:01:00" });
        var factory = product.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Name, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CollectTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, ToDictionary(tags))));
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, ToDictionary(tags))));
        meters.Start();
        var spans = new ConcurrentQueue<Activity>();
        using var source = new ActivityListener
        {
            ShouldListenTo = s => CollectTelemetry.SourceNames.Contains(s.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(source);
        var body = TestOrders.CreateBody(amount: "88.00");
        var orderId = (string)body["orderId"]!;
        var durable = new DurableClientDouble();
        // The orchestration's first step, played when the instance starts.
        durable.OnStart = async id => await product.GetRequiredService<Collection.ApplyActivity>().ApplyAsync(id);

        var response = await HttpExchange.ExecuteAsync(
            await product.GetRequiredService<OrdersHandler>().CreateAsync(HttpExchange.PostJson(product, body), durable.Client), product);

        Assert.True(response.Status == 201, $"{response.Status} {response.Body}");
        var ours = spans.Where(s => Equals(s.GetTagItem(CollectTelemetry.OrderIdAttribute), orderId)).Select(s => s.OperationName).ToList();
        Assert.Contains("collect.create", ours);
        Assert.Contains("collect.apply", ours);
        var created = Assert.Single(measurements, m => m.Name == CollectMetrics.OrdersCreated);
        Assert.Equal("HKD", created.Tags["currency"]);
        Assert.Contains(measurements, m => m.Name == CollectMetrics.HaiPayCalls
            && Equals(m.Tags["endpoint"], "apply") && Equals(m.Tags["outcome"], "accepted"));
        Assert.Contains(measurements, m => m.Name == CollectMetrics.HaiPayCallDuration && Equals(m.Tags["endpoint"], "apply"));
        Assert.DoesNotContain(measurements, m => m.Tags.ContainsKey(CollectTelemetry.OrderIdAttribute) || m.Tags.Values.Contains(orderId));

        var personal = new[] { (string)body["name"]!, (string)body["phone"]!, (string)body["email"]!, "51234567" };
        var emitted = measurements.SelectMany(m => m.Tags.Values).Concat(spans.SelectMany(s => s.TagObjects.Select(t => t.Value)))
            .Select(v => v?.ToString() ?? "").ToList();
        Assert.All(personal, value => Assert.DoesNotContain(emitted, e => e.Contains(value, StringComparison.OrdinalIgnoreCase)));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }
        return result;
    }
}
