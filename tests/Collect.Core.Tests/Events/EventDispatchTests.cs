using Collect.Core.Events;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay.Sandbox.Storefront;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Events;

/// <summary>
/// The writer's side of a storefront event: its first attempt runs in the background against the sandbox's real
/// receiver, and only a failed one hands the retries to a delivery orchestration.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class EventDispatchTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ServiceProvider _product;
    private readonly DurableClientDouble _durable = new();

    public EventDispatchTests(CollectEnvironment environment)
    {
        _environment = environment;
        _product = environment.CreateProduct(new Dictionary<string, string?>
        {
            ["Events:AttemptTimeout"] = "00:00:30",
            ["Events:RetrySchedule"] = "00:01:00*3",
        });
        Receiver.Clear();
    }

    public void Dispose()
    {
        Receiver.Clear();
        _product.Dispose();
    }

    private StorefrontReceiver Receiver => _environment.Sandbox.Services.GetRequiredService<StorefrontReceiver>();
    private OrderStore Store => _product.GetRequiredService<OrderStore>();
    private EventDispatch Dispatch => _product.GetRequiredService<EventDispatch>();

    private async Task<Order> WrittenAsync()
    {
        var order = TestOrders.Pending();
        await Store.CreateAsync(order);
        var written = (await Store.UpdateAsync(order.OrderId, o => o with { Status = OrderStatus.AwaitingPayment, OrderNo = "SBX-1" }, "test"))!;
        Assert.Equal(1, written.WrittenEvent?.Sequence);
        return written;
    }

    private async Task<OrderEvent> SettledEventAsync(string orderId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var orderEvent = (await Store.GetEventAsync(orderId, 1))!;
            if ((orderEvent.Attempts > 0 && Dispatch.FirstAttemptsInFlight == 0) || DateTime.UtcNow > deadline)
            {
                return orderEvent;
            }
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_first_attempt_the_storefront_accepts_needs_no_delivery_orchestration()
    {
        var order = await WrittenAsync();

        await Dispatch.StartWrittenAsync(_durable.Client, order);

        var orderEvent = await SettledEventAsync(order.OrderId);
        Assert.Equal((EventState.Delivered, 1), (orderEvent.State, orderEvent.Attempts));
        Assert.Equal("order.awaiting_payment", Assert.Single(Receiver.Received, e => e.OrderId == order.OrderId).Type);
        Assert.Empty(_durable.EventDeliveries);
    }

    [Fact]
    public async Task A_failed_first_attempt_hands_the_retries_to_an_orchestration_that_starts_with_the_first_wait()
    {
        var order = await WrittenAsync();
        Receiver.FailNext(new StorefrontFailures(1, 503));

        await Dispatch.StartWrittenAsync(_durable.Client, order);

        var orderEvent = await SettledEventAsync(order.OrderId);
        Assert.Equal((EventState.Pending, 1, "HTTP 503"), (orderEvent.State, orderEvent.Attempts, orderEvent.LastResult));
        var delivery = Assert.Single(_durable.EventDeliveries);
        Assert.Equal((order.OrderId, 1, 1, true), (delivery.OrderId, delivery.Sequence, delivery.FirstAttempt, delivery.FirstAttemptMade));
    }

    [Fact]
    public async Task The_writer_never_waits_for_a_slow_storefront_and_beyond_the_bound_events_go_straight_to_orchestrations()
    {
        var orders = new List<Order>();
        for (var i = 0; i <= EventDispatch.MaxFirstAttemptsInFlight; i++)
        {
            orders.Add(await WrittenAsync());
        }
        Receiver.FailNext(new StorefrontFailures(EventDispatch.MaxFirstAttemptsInFlight, 200, TimeSpan.FromSeconds(8)));

        foreach (var order in orders)
        {
            await Dispatch.StartWrittenAsync(_durable.Client, order);
        }

        // Every write returned while the storefront was still holding the first attempts.
        Assert.Equal(EventDispatch.MaxFirstAttemptsInFlight, Dispatch.FirstAttemptsInFlight);
        var overflow = Assert.Single(_durable.EventDeliveries);
        Assert.Equal((orders[^1].OrderId, false), (overflow.OrderId, overflow.FirstAttemptMade));
        foreach (var order in orders.Take(EventDispatch.MaxFirstAttemptsInFlight))
        {
            Assert.Equal(EventState.Delivered, (await SettledEventAsync(order.OrderId)).State);
        }
        Assert.Single(_durable.EventDeliveries);
    }

    [Fact]
    public async Task Without_a_durable_client_or_a_written_event_nothing_is_sent()
    {
        var order = await WrittenAsync();

        await Dispatch.StartWrittenAsync(null, order);
        await Dispatch.StartWrittenAsync(_durable.Client, order with { WrittenEvent = null });
        await Task.Delay(500);

        Assert.Equal(0, (await Store.GetEventAsync(order.OrderId, 1))!.Attempts);
        Assert.DoesNotContain(Receiver.Received, e => e.OrderId == order.OrderId);
        Assert.Empty(_durable.EventDeliveries);
    }
}
