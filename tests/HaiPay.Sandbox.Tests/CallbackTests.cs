using HaiPay.Callbacks;
using HaiPay.Sandbox.Tests.Support;
using HaiPay.Signing;

namespace HaiPay.Sandbox.Tests;

/// <summary>Signed callbacks to a loopback merchant receiver, retried until it answers SUCCESS.</summary>
public sealed class CallbackTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;
    private CallbackReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await CallbackReceiver.StartAsync();
        _h = await SandboxHarness.StartAsync(o =>
        {
            o.CallbackRetryInterval = TimeSpan.FromMilliseconds(50);
            o.CallbackRetryCount = 5;
        });
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_paid_order_sends_a_callback_signed_over_every_field_it_carries()
    {
        var request = Requests.Apply(amount: "200.00", notifyUrl: _receiver.NotifyUrl);
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var callback = Assert.Single(await _receiver.WaitForAsync(request.OrderId, 1));

        Assert.Equal(["amount", "appId", "currency", "fee", "orderId", "orderNo", "payTime", "sign", "status"],
            callback.Fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(_h.AppId(Currency.HKD).ToString(), callback.Fields["appId"]);
        Assert.Equal("HKD", callback.Fields["currency"]);
        Assert.Equal(applied.OrderNo, callback.Fields["orderNo"]);
        Assert.Equal("200.00", callback.Fields["amount"]);
        Assert.Equal("3.00", callback.Fields["fee"]);
        Assert.Equal("2", callback.Status);
        Assert.StartsWith("application/json", callback.ContentType);
        Assert.Contains("\"appId\":" + _h.AppId(Currency.HKD), callback.Body);
        Assert.Contains("\"status\":2", callback.Body);
        Assert.True(Verifies(callback, Currency.HKD));
        Assert.False(Verifies(callback, Currency.USD));
        var notice = CollectionNotification.FromFields(callback.Fields, TimeSpan.FromHours(8));
        Assert.Equal(_h.State.FindOrder(applied.OrderNo)!.PayTime!.Value.ToUnixTimeSeconds(), notice.PayTime!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_failed_order_sends_its_error_message_and_no_pay_time()
    {
        var request = Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "10.00", notifyUrl: _receiver.NotifyUrl);
        await _h.Client.ApplyAsync(Currency.USD, request);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Fail, errorMsg: "Insufficient balance");
        var callback = Assert.Single(await _receiver.WaitForAsync(request.OrderId, 1));

        Assert.Equal("3", callback.Status);
        Assert.Equal("Insufficient balance", callback.Fields["errorMsg"]);
        Assert.Equal("0.00", callback.Fields["amount"]);
        Assert.False(callback.Fields.ContainsKey("payTime"));
        Assert.Equal("USD", callback.Fields["currency"]);
        Assert.True(Verifies(callback, Currency.USD));
    }

    [Fact]
    public async Task A_callback_is_retried_until_the_merchant_answers_SUCCESS()
    {
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.Client.ApplyAsync(Currency.HKD, request);
        _receiver.FailFirst(request.OrderId, 2);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var deliveries = await _receiver.WaitForAsync(request.OrderId, 3);
        var counters = await Eventually.Until(() => _h.State.Counters.For(request.OrderId),
            c => c.CallbacksAcknowledged == 1, "the third delivery to be acknowledged");

        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(deliveries[0].Body, d.Body));
        Assert.Equal(new OrderCounters(1, 1, 0, 3, 1, 0, 0), counters);
        Assert.Equal(3, _h.State.Counters.Total.CallbacksSent);
        Assert.Equal(1, _h.State.Counters.Total.CallbacksAcknowledged);
    }

    [Fact]
    public async Task A_callback_is_abandoned_after_the_configured_retries()
    {
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.Client.ApplyAsync(Currency.HKD, request);
        _receiver.FailFirst(request.OrderId, 100);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var counters = await Eventually.Until(() => _h.State.Counters.For(request.OrderId),
            c => c.CallbacksAbandoned == 1, "the callback to be abandoned");

        Assert.Equal(6, counters.CallbacksSent);
        Assert.Equal(0, counters.CallbacksAcknowledged);
        Assert.Equal(6, _receiver.For(request.OrderId).Count);
    }

    [Fact]
    public async Task Only_exactly_SUCCESS_acknowledges_a_callback()
    {
        await using var sloppy = await CallbackReceiver.StartAsync(answer: "success\n");
        var request = Requests.Apply(notifyUrl: sloppy.NotifyUrl);
        await _h.Client.ApplyAsync(Currency.HKD, request);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var counters = await Eventually.Until(() => _h.State.Counters.For(request.OrderId),
            c => c.CallbacksAbandoned == 1, "the never-acknowledged callback to be abandoned");

        Assert.Equal(6, counters.CallbacksSent);
        Assert.Equal(0, counters.CallbacksAcknowledged);
    }

    [Fact]
    public async Task A_dropped_callback_is_never_sent_but_can_be_resent()
    {
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.ApplyAsync(Currency.HKD, request, new OrderBehaviour { Callback = new CallbackBehaviour { Drop = true } });

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var afterDrop = _h.State.Counters.For(request.OrderId);
        _h.Sandbox.Orders.ResendCallback(request.OrderId);
        var resent = Assert.Single(await _receiver.WaitForAsync(request.OrderId, 1));

        Assert.Equal(new OrderCounters(1, 1, 0, 0, 0, 1, 0), afterDrop);
        Assert.Equal("2", resent.Status);
        Assert.True(Verifies(resent, Currency.HKD));
    }

    [Fact]
    public async Task A_duplicated_callback_arrives_as_many_times_as_asked()
    {
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.ApplyAsync(Currency.HKD, request, new OrderBehaviour { Callback = new CallbackBehaviour { Copies = 3 } });

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var deliveries = await _receiver.WaitForAsync(request.OrderId, 3);
        var counters = await Eventually.Until(() => _h.State.Counters.For(request.OrderId),
            c => c.CallbacksAcknowledged == 3, "three acknowledged copies");

        Assert.Equal(3, deliveries.Count);
        Assert.Single(deliveries.Select(d => d.Body).Distinct());
        Assert.Equal(3, counters.CallbacksSent);
    }

    [Fact]
    public async Task A_delayed_callback_arrives_after_a_later_undelayed_one()
    {
        var delayed = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        var prompt = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.ApplyAsync(Currency.HKD, delayed, new OrderBehaviour { Callback = new CallbackBehaviour { Delay = TimeSpan.FromSeconds(2) } });
        await _h.Client.ApplyAsync(Currency.HKD, prompt);

        _h.Sandbox.Orders.Settle(delayed.OrderId, SettleAction.Pay);
        _h.Sandbox.Orders.Settle(prompt.OrderId, SettleAction.Pay);
        await _receiver.WaitForAsync(delayed.OrderId, 1);

        Assert.Equal([prompt.OrderId, delayed.OrderId], _receiver.All.Select(c => c.OrderId));
    }

    [Fact]
    public async Task Reorder_stale_sends_the_earlier_non_final_status_after_the_final_one()
    {
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await _h.ApplyAsync(Currency.HKD, request, new OrderBehaviour
        {
            PendingConfirmation = TimeSpan.FromHours(1),
            Callback = new CallbackBehaviour { Reorder = CallbackReorder.Stale },
        });

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        _h.Sandbox.Orders.Confirm(request.OrderId);
        var deliveries = await _receiver.WaitForAsync(request.OrderId, 2);

        Assert.Equal(["2", "-1"], deliveries.Select(d => d.Status));
        Assert.Equal("0.00", deliveries[1].Fields["amount"]);
        Assert.All(deliveries, d => Assert.True(Verifies(d, Currency.HKD)));
        Assert.Equal(CollectionStatus.Success, _h.State.FindOrder(request.OrderId)!.Status);
    }

    [Fact]
    public async Task Reorder_contradicting_sends_the_opposite_final_status_after_the_final_one()
    {
        var paid = Requests.Apply(amount: "40.00", notifyUrl: _receiver.NotifyUrl);
        var failed = Requests.Apply(amount: "40.00", notifyUrl: _receiver.NotifyUrl);
        var contradicting = new OrderBehaviour { Callback = new CallbackBehaviour { Reorder = CallbackReorder.Contradicting } };
        await _h.ApplyAsync(Currency.HKD, paid, contradicting);
        await _h.ApplyAsync(Currency.HKD, failed, contradicting);

        _h.Sandbox.Orders.Settle(paid.OrderId, SettleAction.Pay);
        _h.Sandbox.Orders.Settle(failed.OrderId, SettleAction.Fail);
        var afterPaid = await _receiver.WaitForAsync(paid.OrderId, 2);
        var afterFailed = await _receiver.WaitForAsync(failed.OrderId, 2);

        Assert.Equal(["2", "3"], afterPaid.Select(d => d.Status));
        Assert.Equal(["3", "2"], afterFailed.Select(d => d.Status));
        Assert.Equal("40.00", afterFailed[1].Fields["amount"]);
        Assert.All(afterPaid.Concat(afterFailed), d => Assert.True(Verifies(d, Currency.HKD)));
        Assert.Equal(CollectionStatus.Success, _h.State.FindOrder(paid.OrderId)!.Status);
        Assert.Equal(CollectionStatus.Failed, _h.State.FindOrder(failed.OrderId)!.Status);
    }

    [Fact]
    public async Task The_default_notify_url_is_used_when_an_order_has_none()
    {
        await using var h = await SandboxHarness.StartAsync(o => o.DefaultNotifyUrl = new Uri(_receiver.NotifyUrl));
        var request = Requests.Apply(notifyUrl: null);
        await h.Client.ApplyAsync(Currency.HKD, request);

        h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Partial);
        var callback = Assert.Single(await _receiver.WaitForAsync(request.OrderId, 1));

        Assert.Equal("4", callback.Status);
        Assert.Equal("50.00", callback.Fields["amount"]);
    }

    [Fact]
    public async Task Signatures_follow_the_configured_canonical_string_options()
    {
        await using var h = await SandboxHarness.StartAsync(o =>
        {
            o.SkipEmptyValues = false;
            o.AppendKey = false;
        });
        var request = Requests.Apply(notifyUrl: _receiver.NotifyUrl);
        await h.Client.ApplyAsync(Currency.HKD, request);

        h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var query = await h.Client.QueryAsync(Currency.HKD, request.OrderId);
        var callback = Assert.Single(await _receiver.WaitForAsync(request.OrderId, 1));

        Assert.True(query.SignatureVerified);
        using var platform = RsaKeys.LoadPublicKey(h.Sandbox.Merchant.PlatformPublicKey);
        var noKey = new HaiPaySigner(new SignatureOptions { SkipEmptyValues = false, AppendKey = false });
        Assert.True(noKey.VerifySigned(callback.Fields, "any secret: not appended", platform));
    }

    private bool Verifies(ReceivedCallback callback, Currency currency)
    {
        using var platform = RsaKeys.LoadPublicKey(_h.Sandbox.Merchant.PlatformPublicKey);
        return new HaiPaySigner(_h.Signature).VerifySigned(callback.Fields, _h.SecretKey(currency), platform);
    }
}
