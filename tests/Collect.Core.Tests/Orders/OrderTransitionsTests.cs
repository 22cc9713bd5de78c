using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;

namespace Collect.Core.Tests.Orders;

public sealed class OrderTransitionsTests
{
    private static readonly DateTimeOffset Later = new(2026, 4, 17, 3, 0, 0, TimeSpan.Zero);

    private static ProviderObservation Report(CollectionStatus status, decimal? actualAmount = null, string? errorMsg = null) => new()
    {
        Status = status,
        OrderNo = "SBX1",
        ActualAmount = actualAmount,
        Fee = status == CollectionStatus.Success ? 1.5m : null,
        PayTime = status == CollectionStatus.Success ? new DateTimeOffset(2026, 4, 17, 10, 0, 0, TimeSpan.FromHours(8)) : null,
        ErrorMsg = errorMsg,
    };

    [Fact]
    public void Accepted_apply_moves_pending_to_awaiting_payment_with_order_no_and_pay_url()
    {
        var order = TestOrders.Pending();

        var next = OrderTransitions.ApplyAccepted(order, "SBX1", "http://pay/1", Later);

        Assert.Equal(OrderStatus.AwaitingPayment, next.Status);
        Assert.Equal("SBX1", next.OrderNo);
        Assert.Equal("http://pay/1", next.PayUrl);
        Assert.Equal(Later, next.UpdatedAt);
    }

    [Fact]
    public void Rejected_apply_moves_pending_to_rejected_with_haipay_error()
    {
        var next = OrderTransitions.ApplyRejected(TestOrders.Pending(), "4002", "channel code does not exist", Later);

        Assert.Equal(OrderStatus.Rejected, next.Status);
        Assert.Equal("4002", next.ErrorCode);
        Assert.Equal("channel code does not exist", next.ErrorMessage);
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Expired)]
    public void Apply_outcomes_do_not_change_an_order_past_pending(OrderStatus status)
    {
        var order = TestOrders.WithStatus(status) with { OrderNo = "SBX1", PayUrl = "http://pay/1" };

        Assert.Same(order, OrderTransitions.ApplyRejected(order, "4002", "x", Later));
        Assert.Same(order, OrderTransitions.ApplyAccepted(order, "SBX2", "http://pay/2", Later));
    }

    [Theory]
    [InlineData(CollectionStatus.NotStarted)]
    [InlineData(CollectionStatus.Processing)]
    [InlineData(CollectionStatus.PendingConfirmation)]
    public void Open_statuses_keep_the_order_awaiting_payment(CollectionStatus status)
    {
        var order = TestOrders.WithStatus(OrderStatus.AwaitingPayment);

        var next = OrderTransitions.Observe(order, Report(status), Later);

        Assert.Equal(OrderStatus.AwaitingPayment, next.Status);
        Assert.Equal(status, next.ProviderStatus);
    }

    [Fact]
    public void An_open_status_keeps_an_expired_order_expired()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.Expired), Report(CollectionStatus.Processing), Later);

        Assert.Equal(OrderStatus.Expired, next.Status);
    }

    [Fact]
    public void Success_with_the_full_amount_succeeds_and_records_the_payment()
    {
        var order = TestOrders.WithStatus(OrderStatus.AwaitingPayment, amount: 100m);

        var next = OrderTransitions.Observe(order, Report(CollectionStatus.Success, actualAmount: 100.00m), Later);

        Assert.Equal(OrderStatus.Succeeded, next.Status);
        Assert.Equal(CollectionStatus.Success, next.ProviderStatus);
        Assert.Equal(100m, next.ActualAmount);
        Assert.Equal(1.5m, next.Fee);
        Assert.Equal(TimeSpan.FromHours(8), next.PayTime!.Value.Offset);
    }

    [Fact]
    public void Success_without_an_actual_amount_succeeds()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(CollectionStatus.Success), Later);

        Assert.Equal(OrderStatus.Succeeded, next.Status);
    }

    [Fact]
    public void Success_with_a_different_actual_amount_needs_review()
    {
        var order = TestOrders.WithStatus(OrderStatus.AwaitingPayment, amount: 100m);

        var next = OrderTransitions.Observe(order, Report(CollectionStatus.Success, actualAmount: 99.99m), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Equal(99.99m, next.ActualAmount);
        Assert.Contains("99.99", next.ErrorMessage);
    }

    [Fact]
    public void Failure_fails_with_haipay_error_message()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Failed, errorMsg: "Card declined"), Later);

        Assert.Equal(OrderStatus.Failed, next.Status);
        Assert.Equal("Card declined", next.ErrorMessage);
    }

    [Theory]
    [InlineData(CollectionStatus.PartialCollection)]
    [InlineData(CollectionStatus.OverCollection)]
    public void Partial_or_over_collection_needs_review(CollectionStatus status)
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(status, actualAmount: 50m), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Equal(status, next.ProviderStatus);
    }

    [Fact]
    public void Failure_after_success_needs_review_and_never_becomes_failed()
    {
        var succeeded = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(CollectionStatus.Success), Later);

        var next = OrderTransitions.Observe(succeeded, Report(CollectionStatus.Failed, errorMsg: "late failure"), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Equal(CollectionStatus.Failed, next.ProviderStatus);
    }

    [Fact]
    public void Success_after_failure_needs_review_and_never_becomes_succeeded()
    {
        var failed = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(CollectionStatus.Failed), Later);

        var next = OrderTransitions.Observe(failed, Report(CollectionStatus.Success), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
    }

    [Theory]
    [InlineData(OrderStatus.Succeeded, CollectionStatus.Success)]
    [InlineData(OrderStatus.Failed, CollectionStatus.Failed)]
    public void The_same_final_report_again_changes_nothing(OrderStatus status, CollectionStatus reported)
    {
        var order = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(reported), Later);
        Assert.Equal(status, order.Status);

        Assert.Same(order, OrderTransitions.Observe(order, Report(reported), Later.AddMinutes(1)));
    }

    [Theory]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.NeedsReview)]
    [InlineData(OrderStatus.Rejected)]
    public void An_open_report_never_downgrades_a_final_status(OrderStatus status)
    {
        var order = TestOrders.WithStatus(status) with { ProviderStatus = CollectionStatus.Success };

        foreach (var open in new[] { CollectionStatus.NotStarted, CollectionStatus.Processing, CollectionStatus.PendingConfirmation })
        {
            Assert.Same(order, OrderTransitions.Observe(order, Report(open), Later));
        }
    }

    [Fact]
    public void A_late_success_after_expiry_succeeds()
    {
        var expired = OrderTransitions.Expire(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Later);

        var next = OrderTransitions.Observe(expired, Report(CollectionStatus.Success, actualAmount: 100m), Later.AddHours(1));

        Assert.Equal(OrderStatus.Succeeded, next.Status);
    }

    [Fact]
    public void A_late_failure_after_expiry_fails()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.Expired), Report(CollectionStatus.Failed), Later);

        Assert.Equal(OrderStatus.Failed, next.Status);
    }

    [Theory]
    [InlineData(OrderStatus.NeedsReview)]
    [InlineData(OrderStatus.Rejected)]
    public void Needs_review_and_rejected_never_change(OrderStatus status)
    {
        var order = TestOrders.WithStatus(status);

        foreach (var reported in Enum.GetValues<CollectionStatus>())
        {
            Assert.Same(order, OrderTransitions.Observe(order, Report(reported), Later));
        }
        Assert.Same(order, OrderTransitions.Expire(order, Later));
        Assert.Same(order, OrderTransitions.CurrencyMismatch(order, "USD", Later));
    }

    [Theory]
    [InlineData(OrderStatus.Pending, OrderStatus.Expired)]
    [InlineData(OrderStatus.AwaitingPayment, OrderStatus.Expired)]
    [InlineData(OrderStatus.Succeeded, OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed, OrderStatus.Failed)]
    [InlineData(OrderStatus.Expired, OrderStatus.Expired)]
    public void Expire_only_affects_waiting_orders(OrderStatus from, OrderStatus to)
    {
        Assert.Equal(to, OrderTransitions.Expire(TestOrders.WithStatus(from), Later).Status);
    }

    [Fact]
    public void A_callback_in_another_currency_flags_the_order_for_review()
    {
        var next = OrderTransitions.CurrencyMismatch(TestOrders.WithStatus(OrderStatus.Succeeded), "USD", Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("USD", next.ErrorMessage);
    }

    [Fact]
    public void Unchanged_orders_keep_their_update_time()
    {
        var order = TestOrders.WithStatus(OrderStatus.AwaitingPayment) with { ProviderStatus = CollectionStatus.Processing, OrderNo = "SBX1" };

        var next = OrderTransitions.Observe(order, Report(CollectionStatus.Processing), Later);

        Assert.Same(order, next);
    }
}
