using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;

namespace Collect.Core.Tests.Orders;

public sealed class OrderTransitionsTests
{
    private static readonly DateTimeOffset Later = new(2026, 4, 17, 3, 0, 0, TimeSpan.Zero);

    /// <summary>What HaiPay's query says about an order of 100.00 (the test orders' amount) unless told otherwise.</summary>
    private static ProviderObservation Report(CollectionStatus status, decimal? actualAmount = null, string? errorMsg = null, decimal? amount = 100m) => new()
    {
        Status = status,
        StatusText = status.ToWire().ToString(System.Globalization.CultureInfo.InvariantCulture),
        OrderNo = "SBX1",
        Amount = amount,
        ActualAmount = actualAmount,
        Fee = status == CollectionStatus.Success ? 1.5m : null,
        PayTime = status == CollectionStatus.Success ? DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)) : null,
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
    public void A_refused_apply_is_recorded_and_the_order_stays_pending_until_it_is_checked()
    {
        var next = OrderTransitions.ApplyRefused(Attempted(TestOrders.Pending(), 1), "4002", "channel code does not exist", Later);

        Assert.Equal(OrderStatus.Pending, next.Status);
        Assert.True(next.HasUncheckedRefusal());
        Assert.Equal("4002", next.ErrorCode);
        Assert.Equal("channel code does not exist", next.ErrorMessage);
        Assert.Same(next, OrderTransitions.ApplyStarted(next, Later));
        Assert.Same(next, OrderTransitions.Expire(next, Later));
    }

    [Fact]
    public void A_refused_apply_that_haipay_holds_nothing_for_is_rejected()
    {
        var refused = OrderTransitions.ApplyRefused(Attempted(TestOrders.Pending(), 1), "4002", "channel code does not exist", Later);

        var next = OrderTransitions.ApplyRefusalChecked(refused, heldAtHaiPay: null, Later);

        Assert.Equal(OrderStatus.Rejected, next.Status);
        Assert.Equal("4002", next.ErrorCode);
    }

    [Theory]
    [InlineData(CollectionStatus.Success)]
    [InlineData(CollectionStatus.NotStarted)]
    public void A_first_apply_refused_while_haipay_holds_the_id_needs_review_never_succeeds(CollectionStatus held)
    {
        // The orderId was used at HaiPay before this order existed (a reset table, another environment on the same appId).
        var refused = OrderTransitions.ApplyRefused(Attempted(TestOrders.Pending(), 1), "1001", "orderId already exists", Later);

        var next = OrderTransitions.ApplyRefusalChecked(refused, Report(held, actualAmount: 100m), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("refused", next.ErrorMessage);
        Assert.Contains("holds an order under this id", next.ErrorMessage);
        Assert.Equal("1001", next.ErrorCode);
    }

    [Fact]
    public void A_repeat_refused_after_an_attempt_whose_answer_was_lost_adopts_the_order_haipay_holds()
    {
        var refused = OrderTransitions.ApplyRefused(Attempted(TestOrders.Pending(), 2), "1001", "orderId already exists", Later);

        var next = OrderTransitions.ApplyRefusalChecked(refused, Report(CollectionStatus.NotStarted), Later);

        Assert.Equal(OrderStatus.AwaitingPayment, next.Status);
        Assert.Equal("SBX1", next.OrderNo);
        Assert.Null(next.PayUrl);
        Assert.Null(next.ErrorCode);
    }

    [Fact]
    public void An_adopted_order_is_still_held_to_the_amount_rule()
    {
        var refused = OrderTransitions.ApplyRefused(Attempted(TestOrders.Pending(), 3), "1001", "orderId already exists", Later);

        Assert.Equal(OrderStatus.Succeeded,
            OrderTransitions.ApplyRefusalChecked(refused, Report(CollectionStatus.Success, actualAmount: 100m), Later).Status);
        Assert.Equal(OrderStatus.NeedsReview,
            OrderTransitions.ApplyRefusalChecked(refused, Report(CollectionStatus.Success, amount: 99m), Later).Status);
        Assert.Equal(OrderStatus.NeedsReview,
            OrderTransitions.ApplyRefusalChecked(refused, Report(CollectionStatus.Success) with { PayTime = DateTimeOffset.UtcNow.AddDays(-30) }, Later).Status);
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Expired)]
    public void Apply_outcomes_do_not_change_an_order_past_pending(OrderStatus status)
    {
        var order = TestOrders.WithStatus(status) with { OrderNo = "SBX1", PayUrl = "http://pay/1" };

        Assert.Same(order, OrderTransitions.ApplyRefused(order, "4002", "x", Later));
        Assert.Same(order, OrderTransitions.ApplyRefusalChecked(order, Report(CollectionStatus.Success), Later));
        Assert.Same(order, OrderTransitions.ApplyStarted(order, Later));
        Assert.Same(order, OrderTransitions.ApplyAccepted(order, "SBX2", "http://pay/2", Later));
    }

    [Fact]
    public void Each_apply_attempt_is_counted_before_it_is_sent()
    {
        var once = OrderTransitions.ApplyStarted(TestOrders.Pending(), Later);

        Assert.Equal(1, once.ApplyAttempts);
        Assert.Equal(2, OrderTransitions.ApplyStarted(once, Later).ApplyAttempts);
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
    public void Success_with_the_order_amount_and_no_actual_amount_succeeds()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment), Report(CollectionStatus.Success), Later);

        Assert.Equal(OrderStatus.Succeeded, next.Status);
    }

    [Fact]
    public void Success_without_the_order_amount_needs_review()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Success, amount: null), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("without the order amount", next.ErrorMessage);
    }

    [Theory]
    [InlineData(99.99)]
    [InlineData(100.01)]
    [InlineData(1)]
    public void Success_for_another_amount_needs_review_even_without_an_actual_amount(decimal reported)
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment, amount: 100m),
            Report(CollectionStatus.Success, amount: reported), Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains(HaiPayAmount.Format(reported), next.ErrorMessage);
    }

    [Fact]
    public void Success_with_an_unreadable_actual_amount_needs_review()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Success) with { UnreadableActualAmount = "100,00" }, Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("'100,00'", next.ErrorMessage);
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("usd")]
    [InlineData("CNY")]
    public void A_query_answer_in_another_currency_needs_review(string currency)
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Success, actualAmount: 100m) with { Currency = currency }, Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains(currency, next.ErrorMessage);
    }

    [Fact]
    public void A_query_answer_naming_the_orders_own_currency_succeeds()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Success, actualAmount: 100m) with { Currency = "hkd" }, Later);

        Assert.Equal(OrderStatus.Succeeded, next.Status);
    }

    [Fact]
    public void A_payment_reported_from_before_the_order_existed_needs_review()
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(OrderStatus.AwaitingPayment),
            Report(CollectionStatus.Success) with { PayTime = DateTimeOffset.UtcNow.AddHours(-1) }, Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("before this order was created", next.ErrorMessage);
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.Succeeded)]
    public void An_unknown_status_needs_review_at_once_with_the_raw_value(OrderStatus status)
    {
        var next = OrderTransitions.Observe(TestOrders.WithStatus(status),
            Report(CollectionStatus.Success) with { Status = null, StatusText = "7" }, Later);

        Assert.Equal(OrderStatus.NeedsReview, next.Status);
        Assert.Contains("'7'", next.ErrorMessage);
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
        Assert.Same(order, OrderTransitions.Observe(order, Report(CollectionStatus.Success) with { Status = null, StatusText = "x" }, Later));
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
    public void Unchanged_orders_keep_their_update_time()
    {
        var order = TestOrders.WithStatus(OrderStatus.AwaitingPayment) with { ProviderStatus = CollectionStatus.Processing, OrderNo = "SBX1" };

        var next = OrderTransitions.Observe(order, Report(CollectionStatus.Processing), Later);

        Assert.Same(order, next);
    }

    private static Order Attempted(Order order, int attempts) => order with { ApplyAttempts = attempts };

    [Theory]
    [InlineData(OrderStatus.Pending)]
    [InlineData(OrderStatus.AwaitingPayment)]
    public void An_operator_can_cancel_a_waiting_order(OrderStatus status)
    {
        var next = OrderTransitions.Cancel(TestOrders.WithStatus(status), "customer asked", Later);

        Assert.Equal((OrderStatus.Cancelled, "customer asked", Later), (next.Status, next.ResolutionNote, next.ResolvedAt));
        Assert.True(next.Status.IsFinal());
        Assert.True(next.Status.IsOpenToLateReports());
    }

    [Theory]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.Expired)]
    [InlineData(OrderStatus.NeedsReview)]
    [InlineData(OrderStatus.Cancelled)]
    public void Only_a_waiting_order_can_be_cancelled(OrderStatus status)
    {
        var order = TestOrders.WithStatus(status);

        Assert.Same(order, OrderTransitions.Cancel(order, "x", Later));
    }

    [Fact]
    public void A_success_haipay_reports_after_a_cancellation_needs_review_never_succeeds()
    {
        var cancelled = OrderTransitions.Cancel(TestOrders.WithStatus(OrderStatus.AwaitingPayment), "stock ran out", Later);

        var paid = OrderTransitions.Observe(cancelled, Report(CollectionStatus.Success, actualAmount: 100m), Later);
        var failed = OrderTransitions.Observe(cancelled, Report(CollectionStatus.Failed), Later);
        var open = OrderTransitions.Observe(cancelled, Report(CollectionStatus.Processing), Later);

        Assert.Equal(OrderStatus.NeedsReview, paid.Status);
        Assert.Contains("cancelled", paid.ErrorMessage);
        Assert.Equal((OrderStatus.Cancelled, (CollectionStatus?)CollectionStatus.Failed), (failed.Status, failed.ProviderStatus));
        Assert.Equal(OrderStatus.Cancelled, open.Status);
    }

    [Theory]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed)]
    public void An_operator_resolves_an_order_in_review(OrderStatus outcome)
    {
        var next = OrderTransitions.Resolve(TestOrders.WithStatus(OrderStatus.NeedsReview), outcome, "checked the bank statement", Later);

        Assert.Equal((outcome, "checked the bank statement"), (next.Status, next.ResolutionNote));
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment, OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Failed, OrderStatus.Succeeded)]
    [InlineData(OrderStatus.NeedsReview, OrderStatus.Expired)]
    [InlineData(OrderStatus.NeedsReview, OrderStatus.Cancelled)]
    public void Only_needs_review_resolves_and_only_to_succeeded_or_failed(OrderStatus from, OrderStatus outcome)
    {
        var order = TestOrders.WithStatus(from);

        Assert.Same(order, OrderTransitions.Resolve(order, outcome, "x", Later));
    }
}
