using HaiPay.Client;
using HaiPay.Sandbox.Tests.Support;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Tests;

public sealed class QueryTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_new_order_is_not_started_with_nothing_collected()
    {
        var request = Requests.Apply(amount: "250.50");
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        var query = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        Assert.Equal(CollectionStatus.NotStarted, query.Status);
        Assert.Equal(applied.OrderNo, query.OrderNo);
        Assert.Equal(250.50m, query.Amount);
        Assert.Equal(0m, query.ActualAmount);
        Assert.Equal(0m, query.Fee);
        Assert.Null(query.PayTime);
        Assert.Null(query.ErrorMsg);
        Assert.True(query.SignatureVerified);
    }

    [Fact]
    public async Task Opening_the_checkout_page_makes_the_order_processing()
    {
        var request = Requests.Apply();
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        using var page = await _h.Http.GetAsync(applied.PayUrl);
        var query = await _h.Client.QueryAsync(Currency.HKD, request.OrderId, applied.OrderNo);

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(CollectionStatus.Processing, query.Status);
    }

    [Fact]
    public async Task A_pending_confirmation_phase_reports_minus_one_then_success()
    {
        var request = Requests.Apply(amount: "100.00");
        await _h.ApplyAsync(Currency.HKD, request, new OrderBehaviour { PendingConfirmation = TimeSpan.FromHours(1) });

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var pending = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);
        _h.Sandbox.Orders.Confirm(request.OrderId);
        var final = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        Assert.Equal(CollectionStatus.PendingConfirmation, pending.Status);
        Assert.Equal(0m, pending.ActualAmount);
        Assert.Null(pending.PayTime);
        Assert.Equal(CollectionStatus.Success, final.Status);
        Assert.Equal(100.00m, final.ActualAmount);
        Assert.NotNull(final.PayTime);
    }

    [Fact]
    public async Task A_pending_confirmation_phase_ends_by_itself_after_its_duration()
    {
        var request = Requests.Apply();
        await _h.ApplyAsync(Currency.HKD, request, new OrderBehaviour
        {
            AutoAction = SettleAction.Pay,
            PendingConfirmation = TimeSpan.FromMilliseconds(200),
        });

        var seen = new List<CollectionStatus>();
        await Eventually.Until(async () =>
        {
            var status = (await _h.Client.QueryAsync(Currency.HKD, request.OrderId)).Status!.Value;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }
            return status;
        }, s => s == CollectionStatus.Success, "the auto-paid order to become final");

        Assert.Equal(CollectionStatus.Success, seen[^1]);
        Assert.DoesNotContain(CollectionStatus.Failed, seen);
        var history = string.Join(",", seen.Select(s => s.ToWire()));
        Assert.Matches("^(0,)?(-1,)?2$", history);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(-5)]
    public async Task PayTime_is_written_in_the_configured_provider_offset(int offsetHours)
    {
        var offset = TimeSpan.FromHours(offsetHours);
        await using var h = await SandboxHarness.StartAsync(o => o.ProviderUtcOffset = offset);
        var request = Requests.Apply();
        await h.Client.ApplyAsync(Currency.HKD, request);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var paid = h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var raw = await h.PostSignedAsync("hkd/collect/query", Currency.HKD, new Dictionary<string, string?>
        {
            ["appId"] = h.AppId(Currency.HKD).ToString(),
            ["orderId"] = request.OrderId,
        });
        var query = await h.Client.QueryAsync(Currency.HKD, request.OrderId);

        var expected = paid.PayTime!.Value.ToOffset(offset).ToString("yyyy-MM-dd HH:mm:ss");
        Assert.Equal(expected, raw.GetProperty("data").GetProperty("payTime").GetString());
        Assert.Equal(offset, query.PayTime!.Value.Offset);
        Assert.InRange(query.PayTime.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Theory]
    [InlineData("100.00", 1.5, "100.00", "1.50")]
    [InlineData("33.33", 1.5, "33.33", "0.50")]
    [InlineData("0.99", 1.5, "0.99", "0.01")]
    [InlineData("499.99", 2.25, "499.99", "11.25")]
    [InlineData("10.10", 0, "10.10", "0.00")]
    public async Task Fee_is_a_percentage_of_the_collected_amount_rounded_to_cents(string amount, double feePercent, string actual, string fee)
    {
        await using var h = await SandboxHarness.StartAsync(o => o.FeePercent = (decimal)feePercent);
        var request = Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", amount);
        await h.Client.ApplyAsync(Currency.USD, request);

        h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Pay);
        var raw = await h.PostSignedAsync("usd/collect/query", Currency.USD, new Dictionary<string, string?>
        {
            ["appId"] = h.AppId(Currency.USD).ToString(),
            ["orderId"] = request.OrderId,
        });
        var query = await h.Client.QueryAsync(Currency.USD, request.OrderId);

        var data = raw.GetProperty("data");
        Assert.Equal(actual, data.GetProperty("actualAmount").GetString());
        Assert.Equal(fee, data.GetProperty("fee").GetString());
        Assert.Equal(amount, data.GetProperty("amount").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, data.GetProperty("status").ValueKind);
        Assert.Equal(decimal.Parse(fee, System.Globalization.CultureInfo.InvariantCulture), query.Fee);
    }

    [Fact]
    public async Task Partial_and_over_collection_report_what_was_collected()
    {
        var partial = Requests.Apply(amount: "100.01");
        var over = Requests.Apply(amount: "100.00");
        var chosen = Requests.Apply(amount: "80.00");
        await _h.Client.ApplyAsync(Currency.HKD, partial);
        await _h.Client.ApplyAsync(Currency.HKD, over);
        await _h.Client.ApplyAsync(Currency.HKD, chosen);

        _h.Sandbox.Orders.Settle(partial.OrderId, SettleAction.Partial);
        _h.Sandbox.Orders.Settle(over.OrderId, SettleAction.Over);
        _h.Sandbox.Orders.Settle(chosen.OrderId, SettleAction.Partial, 12.34m);

        var p = await _h.Client.QueryAsync(Currency.HKD, partial.OrderId);
        var o = await _h.Client.QueryAsync(Currency.HKD, over.OrderId);
        var c = await _h.Client.QueryAsync(Currency.HKD, chosen.OrderId);
        Assert.Equal((CollectionStatus.PartialCollection, 100.01m, 50.00m, 0.75m), (p.Status, p.Amount!.Value, p.ActualAmount!.Value, p.Fee!.Value));
        Assert.Equal((CollectionStatus.OverCollection, 100.00m, 110.00m, 1.65m), (o.Status, o.Amount!.Value, o.ActualAmount!.Value, o.Fee!.Value));
        Assert.Equal((CollectionStatus.PartialCollection, 12.34m, 0.19m), (c.Status, c.ActualAmount!.Value, c.Fee!.Value));
        Assert.NotNull(p.PayTime);
    }

    [Fact]
    public async Task A_failed_order_reports_its_error_message_and_no_pay_time()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);

        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Fail, errorMsg: "Card declined");
        var query = await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        Assert.Equal(CollectionStatus.Failed, query.Status);
        Assert.Equal("Card declined", query.ErrorMsg);
        Assert.Null(query.PayTime);
        Assert.Equal(0m, query.ActualAmount);
        Assert.Equal(0m, query.Fee);
    }

    [Fact]
    public async Task An_unknown_order_is_a_business_error()
    {
        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.QueryAsync(Currency.HKD, "no-such-order"));

        Assert.Equal(SandboxErrorCodes.OrderNotFound, rejected.Code);
        Assert.Equal(1, _h.State.Counters.For("no-such-order").Queries);
    }

    [Fact]
    public async Task An_order_is_found_only_with_its_own_appId_and_orderNo()
    {
        var request = Requests.Apply();
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        var otherCurrency = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.QueryAsync(Currency.USD, request.OrderId));
        var otherOrderNo = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.QueryAsync(Currency.HKD, request.OrderId, applied.OrderNo + "0"));
        var found = await _h.Client.QueryAsync(Currency.HKD, request.OrderId, applied.OrderNo);

        Assert.Equal(SandboxErrorCodes.OrderNotFound, otherCurrency.Code);
        Assert.Equal(SandboxErrorCodes.OrderNotFound, otherOrderNo.Code);
        Assert.Equal(applied.OrderNo, found.OrderNo);
        Assert.Equal(3, _h.State.Counters.For(request.OrderId).Queries);
    }

    [Fact]
    public async Task A_query_signed_with_another_key_is_rejected()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);

        var envelope = await _h.PostSignedAsync("hkd/collect/query", Currency.HKD, new Dictionary<string, string?>
        {
            ["appId"] = _h.AppId(Currency.HKD).ToString(),
            ["orderId"] = request.OrderId,
        }, TestKeys.StrangerPrivateKey);

        Assert.Equal(SandboxErrorCodes.SignatureError, envelope.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Auto_behaviours_settle_orders_by_themselves()
    {
        await using var h = await SandboxHarness.StartAsync(o => o.DefaultBehaviour = new OrderBehaviour { AutoAction = SettleAction.Fail });
        var failing = Requests.Apply();
        var paying = Requests.Apply();
        var partial = Requests.Apply(amount: "10.00");
        await h.Client.ApplyAsync(Currency.HKD, failing);
        await h.ApplyAsync(Currency.HKD, paying, new OrderBehaviour { AutoAction = SettleAction.Pay, AutoActionDelay = TimeSpan.FromMilliseconds(50) });
        await h.ApplyAsync(Currency.HKD, partial, new OrderBehaviour { AutoAction = SettleAction.Partial });

        async Task<CollectionStatus> FinalStatus(string orderId) => (await Eventually.Until(
            () => h.Client.QueryAsync(Currency.HKD, orderId), q => q.Status?.IsFinal() == true, $"order {orderId} to become final")).Status!.Value;

        Assert.Equal(CollectionStatus.Failed, await FinalStatus(failing.OrderId));
        Assert.Equal(CollectionStatus.Success, await FinalStatus(paying.OrderId));
        Assert.Equal(CollectionStatus.PartialCollection, await FinalStatus(partial.OrderId));
    }
}
