using Moq;
using Collect.Core.Events;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay.Sandbox.Storefront;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Events;

/// <summary>Storefront events: written with the status change, delivered to the sandbox's real storefront receiver over HTTP.</summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class EventDeliveryTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ServiceProvider _product;

    public EventDeliveryTests(CollectEnvironment environment)
    {
        _environment = environment;
        // Generous, so a loaded machine never turns a delivery into a timeout; the timeout test makes its own product.
        _product = environment.CreateProduct(new Dictionary<string, string?> { ["Events:AttemptTimeout"] = "00:00:10" });
        Receiver.Clear();
    }

    public void Dispose()
    {
        Receiver.Clear();
        _product.Dispose();
    }

    private StorefrontReceiver Receiver => _environment.Sandbox.Services.GetRequiredService<StorefrontReceiver>();
    private OrderStore Store => _product.GetRequiredService<OrderStore>();
    private EventDelivery Delivery => _product.GetRequiredService<EventDelivery>();

    private Task<Order> OrderWithEventAsync(OrderStatus status = OrderStatus.AwaitingPayment) => OrderWithEventAsync(Store, status);

    private static async Task<Order> OrderWithEventAsync(OrderStore store, OrderStatus status = OrderStatus.AwaitingPayment)
    {
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        return (await store.UpdateAsync(order.OrderId, o => o with { Status = status, OrderNo = "SBX-1" }, "test"))!;
    }

    private IReadOnlyList<ReceivedEvent> ReceivedFor(string orderId) => Receiver.Received.Where(e => e.OrderId == orderId).ToList();

    [Fact]
    public async Task A_status_change_writes_its_event_in_the_same_write_and_a_row_for_the_sweep()
    {
        var order = await OrderWithEventAsync();

        Assert.Equal((1, 1), (order.WrittenEvent?.Sequence, order.EventSequence));
        var (events, attempts) = await Store.GetEventsAsync(order.OrderId);
        var written = Assert.Single(events);
        Assert.Equal((OrderEvents.AwaitingPayment, EventState.Pending, "evt_" + order.OrderId + "_1"), (written.Type, written.State, written.Id));
        Assert.Empty(attempts);
        var due = await _product.GetRequiredService<OrderIndex>().EventsDueAsync(DateTimeOffset.UtcNow.AddMinutes(5), 1000);
        Assert.Contains(due, d => d.OrderId == order.OrderId && d.Sequence == 1);
        var unchanged = await Store.UpdateAsync(order.OrderId, o => o with { Subject = "no status change" }, "test");
        Assert.Null(unchanged!.WrittenEvent);
    }

    [Fact]
    public async Task The_writers_first_attempt_reads_the_order_again_but_not_the_event_it_has_just_written()
    {
        var reads = new RowReads();
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Events:AttemptTimeout"] = "00:00:10" },
            configure: reads.AddTo);
        var store = product.GetRequiredService<OrderStore>();
        var delivery = product.GetRequiredService<EventDelivery>();
        var first = await OrderWithEventAsync(store);
        var second = await OrderWithEventAsync(store);
        var eventRow = OrderStore.EventRowKey(1);

        var fromWriter = await delivery.DeliverAsync(new DeliveryRequest(first.OrderId, 1, 1, IsLast: false, "automatic"), first.WrittenEvent);
        var fromRequest = await delivery.DeliverAsync(new DeliveryRequest(second.OrderId, 1, 1, IsLast: false, "automatic"));

        Assert.Equal((DeliveryResult.Delivered, DeliveryResult.Delivered), (fromWriter, fromRequest));
        // Each order was read once by its status change and once by its delivery; only the second delivery read its event.
        Assert.Equal((0, 2), (reads.Of(first.OrderId, eventRow), reads.Of(first.OrderId, OrderStore.OrderRowKey)));
        Assert.Equal((1, 2), (reads.Of(second.OrderId, eventRow), reads.Of(second.OrderId, OrderStore.OrderRowKey)));
        var recorded = (await store.GetEventAsync(first.OrderId, 1))!;
        Assert.Equal((EventState.Delivered, 1), (recorded.State, recorded.Attempts));
        Assert.Single(ReceivedFor(first.OrderId));
    }

    [Fact]
    public async Task An_event_is_delivered_signed_with_the_order_as_it_is_now_and_the_attempt_recorded()
    {
        var order = await OrderWithEventAsync();

        var result = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, IsLast: false, "automatic"));

        Assert.Equal(DeliveryResult.Delivered, result);
        var received = Assert.Single(ReceivedFor(order.OrderId));
        Assert.Equal(("evt_" + order.OrderId + "_1", OrderEvents.AwaitingPayment, 1, "AwaitingPayment", true, 200),
            (received.Id, received.Type, received.Sequence, received.Status, received.Verified, received.Answered));
        var (events, attempts) = await Store.GetEventsAsync(order.OrderId);
        Assert.Equal(EventState.Delivered, events.Single().State);
        Assert.Equal((1, 200, "automatic"), (attempts.Single().Attempt, attempts.Single().HttpStatus, attempts.Single().Kind));
        Assert.Equal(DeliveryResult.Delivered, await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 2, IsLast: false, "automatic")));
        Assert.Single(ReceivedFor(order.OrderId));
    }

    [Fact]
    public async Task A_failing_storefront_is_retried_and_after_the_last_attempt_the_event_is_listed_undelivered()
    {
        var order = await OrderWithEventAsync();
        Receiver.FailNext(new StorefrontFailures(2, 503));

        var first = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, IsLast: false, "automatic"));
        var last = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 2, IsLast: true, "automatic"));

        Assert.Equal((DeliveryResult.Retry, DeliveryResult.GaveUp), (first, last));
        var (events, attempts) = await Store.GetEventsAsync(order.OrderId);
        Assert.Equal((EventState.Failed, "HTTP 503", 2), (events.Single().State, events.Single().LastResult, events.Single().Attempts));
        Assert.Equal([503, 503], attempts.Select(a => a.HttpStatus));
        var index = _product.GetRequiredService<OrderIndex>();
        Assert.Contains((order.OrderId, 1), await index.UndeliveredAsync(1000));

        var manual = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 3, IsLast: true, "manual"));

        Assert.Equal(DeliveryResult.Delivered, manual);
        Assert.DoesNotContain((order.OrderId, 1), await index.UndeliveredAsync(1000));
    }

    [Fact]
    public async Task Without_a_signing_secret_nothing_is_sent_and_the_event_follows_its_schedule_to_undelivered()
    {
        // Key Vault has no current secret (deleted, or never set): an event must neither go out unsigned nor stay
        // Pending for ever — each attempt fails, and after the last it is listed undelivered for an operator.
        var vault = new Moq.Mock<Azure.Security.KeyVault.Secrets.SecretClient>(Moq.MockBehavior.Strict);
        vault.Setup(v => v.GetSecretAsync(Moq.It.IsAny<string>(), null, null, Moq.It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Azure.RequestFailedException(404, "SecretNotFound"));
        var delivery = new EventDelivery(Store, _product.GetRequiredService<OrderIndex>(),
            new KeyVaultStorefrontSecrets(vault.Object, Microsoft.Extensions.Options.Options.Create(new CollectOptions()), TimeProvider.System),
            _product.GetRequiredService<IHttpClientFactory>(), _product.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventOptions>>(),
            TimeProvider.System, _product.GetRequiredService<Collect.Core.Telemetry.CollectMetrics>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<EventDelivery>.Instance);
        var unsigned = new EventDelivery(Store, _product.GetRequiredService<OrderIndex>(), new NoSecrets(),
            _product.GetRequiredService<IHttpClientFactory>(), _product.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventOptions>>(),
            TimeProvider.System, _product.GetRequiredService<Collect.Core.Telemetry.CollectMetrics>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<EventDelivery>.Instance);
        var order = await OrderWithEventAsync();

        var first = await delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, IsLast: false, "automatic"));
        var last = await unsigned.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 2, IsLast: true, "automatic"));

        Assert.Equal((DeliveryResult.Retry, DeliveryResult.GaveUp), (first, last));
        Assert.Empty(ReceivedFor(order.OrderId));
        var (events, attempts) = await Store.GetEventsAsync(order.OrderId);
        Assert.Equal((EventState.Failed, 2), (events.Single().State, events.Single().Attempts));
        Assert.Equal(["signing secret unavailable (RequestFailedException)", "no signing secret is configured"], attempts.Select(a => a.Error));
        Assert.All(attempts, a => Assert.Null(a.HttpStatus));
        Assert.Contains((order.OrderId, 1), await _product.GetRequiredService<OrderIndex>().UndeliveredAsync(1000));
    }

    private sealed class NoSecrets : IStorefrontSecrets
    {
        public ValueTask<IReadOnlyList<string>> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IReadOnlyList<string>>([]);
    }

    [Fact]
    public async Task A_storefront_that_does_not_answer_in_time_is_a_failed_attempt()
    {
        using var impatient = _environment.CreateProduct(new Dictionary<string, string?> { ["Events:AttemptTimeout"] = "00:00:01" });
        var store = impatient.GetRequiredService<OrderStore>();
        var order = await OrderWithEventAsync(store);
        Receiver.FailNext(new StorefrontFailures(1, 200, TimeSpan.FromSeconds(3)));

        var result = await impatient.GetRequiredService<EventDelivery>().DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, IsLast: false, "automatic"));

        Assert.Equal(DeliveryResult.Retry, result);
        var attempt = (await store.GetEventsAsync(order.OrderId)).Attempts.Single();
        Assert.Null(attempt.HttpStatus);
        Assert.Contains("no answer within 1 s", attempt.Error);
        Assert.InRange(attempt.DurationMs, 900, 2900);
    }

    [Fact]
    public async Task An_event_a_later_status_made_stale_is_superseded_and_never_sent()
    {
        var order = await OrderWithEventAsync();
        await Store.UpdateAsync(order.OrderId, o => o with { Status = OrderStatus.Succeeded }, "test");

        var stale = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, IsLast: false, "automatic"));
        var latest = await Delivery.DeliverAsync(new DeliveryRequest(order.OrderId, 2, 1, IsLast: false, "automatic"));

        Assert.Equal((DeliveryResult.Superseded, DeliveryResult.Delivered), (stale, latest));
        var received = Assert.Single(ReceivedFor(order.OrderId));
        Assert.Equal((OrderEvents.Succeeded, 2, "Succeeded"), (received.Type, received.Sequence, received.Status));
        Assert.Equal(EventState.Superseded, (await Store.GetEventAsync(order.OrderId, 1))!.State);
    }

    [Fact]
    public async Task While_a_secret_is_rotated_a_storefront_with_either_secret_verifies()
    {
        using var rotating = _environment.CreateProduct(new Dictionary<string, string?>
        {
            ["Events:SigningSecret"] = "whsec_the_new_one",
            ["Events:PreviousSigningSecret"] = Receiver.Secret,
        });
        var store = rotating.GetRequiredService<OrderStore>();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.UpdateAsync(order.OrderId, o => o with { Status = OrderStatus.AwaitingPayment }, "test");

        await rotating.GetRequiredService<EventDelivery>().DeliverAsync(new DeliveryRequest(order.OrderId, 1, 1, false, "automatic"));

        Assert.True(Assert.Single(ReceivedFor(order.OrderId)).Verified);
    }

    [Fact]
    public async Task Without_a_webhook_url_no_event_is_written_or_sent()
    {
        using var silent = _environment.CreateProduct(new Dictionary<string, string?> { ["Events:WebhookUrl"] = null });
        var store = silent.GetRequiredService<OrderStore>();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);

        var changed = await store.UpdateAsync(order.OrderId, o => o with { Status = OrderStatus.AwaitingPayment }, "test");

        Assert.Equal((0, (int?)null), (changed!.EventSequence, changed.WrittenEvent?.Sequence));
        Assert.Empty((await store.GetEventsAsync(order.OrderId)).Events);
    }
}
