using HaiPay.Client;
using HaiPay.Sandbox.Tests.Support;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Tests;

/// <summary>The product's real client applying against the real sandbox over loopback HTTP.</summary>
public sealed class ApplyTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<Currency, string, string, string> InsideLimits => new()
    {
        { Currency.HKD, "EWALLET", "WXPAY_SCANCODE", "1" },
        { Currency.HKD, "EWALLET", "WXPAY_SCANCODE", "1000.00" },
        { Currency.HKD, "EWALLET", "ALIPAY_HKD", "1.00" },
        { Currency.HKD, "EWALLET", "ALIPAY_HKD", "5000" },
        { Currency.USD, "EWALLET", "HK_WXPAY_SCANCODE_USD", "0.99" },
        { Currency.USD, "EWALLET", "HK_WXPAY_SCANCODE_USD", "120.00" },
        { Currency.USD, "BANK_TRANSFER", "ALIPAY_USD", "0.99" },
        { Currency.USD, "BANK_TRANSFER", "ALIPAY_USD", "499.99" },
    };

    public static TheoryData<Currency, string, string, string> OutsideLimits => new()
    {
        { Currency.HKD, "EWALLET", "WXPAY_SCANCODE", "0.99" },
        { Currency.HKD, "EWALLET", "WXPAY_SCANCODE", "1000.01" },
        { Currency.HKD, "EWALLET", "ALIPAY_HKD", "0.99" },
        { Currency.HKD, "EWALLET", "ALIPAY_HKD", "5000.01" },
        { Currency.USD, "EWALLET", "HK_WXPAY_SCANCODE_USD", "0.98" },
        { Currency.USD, "EWALLET", "HK_WXPAY_SCANCODE_USD", "120.01" },
        { Currency.USD, "BANK_TRANSFER", "ALIPAY_USD", "0.98" },
        { Currency.USD, "BANK_TRANSFER", "ALIPAY_USD", "500.00" },
    };

    [Theory]
    [MemberData(nameof(InsideLimits))]
    public async Task Every_seed_method_accepts_amounts_inside_its_limits(Currency currency, string payType, string inBankCode, string amount)
    {
        var request = Requests.Apply(inBankCode, payType, amount);

        var result = await _h.Client.ApplyAsync(currency, request);

        Assert.Equal(request.OrderId, result.OrderId);
        Assert.StartsWith("SBX", result.OrderNo);
        Assert.Equal(new Uri(_h.Sandbox.BaseUrl, "checkout/" + result.OrderNo).ToString(), result.PayUrl);
        var order = _h.State.FindOrder(result.OrderNo)!;
        Assert.Equal(currency, order.Currency);
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), order.Amount);
        Assert.Equal(CollectionStatus.NotStarted, order.Status);
        Assert.Equal(new OrderCounters(1, 1, 0, 0, 0, 0, 0), order.Counters);
    }

    [Theory]
    [MemberData(nameof(OutsideLimits))]
    public async Task Every_seed_method_rejects_amounts_outside_its_limits(Currency currency, string payType, string inBankCode, string amount)
    {
        var request = Requests.Apply(inBankCode, payType, amount);

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(currency, request));

        Assert.Equal(SandboxErrorCodes.AmountOutOfLimit, rejected.Code);
        Assert.Contains(amount, rejected.ProviderMessage);
        Assert.Null(_h.State.FindOrder(request.OrderId));
        Assert.Equal(new OrderCounters(1, 0, 0, 0, 0, 0, 0), _h.State.Counters.For(request.OrderId));
    }

    [Fact]
    public async Task PayMe_is_rejected_because_it_is_under_maintenance()
    {
        var request = Requests.Apply("PAYME_USD", "BANK_TRANSFER", "10.00");

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(Currency.USD, request));

        Assert.Equal(SandboxErrorCodes.MethodUnderMaintenance, rejected.Code);
        Assert.Contains("PAYME_USD", rejected.ProviderMessage);
    }

    [Fact]
    public async Task An_unknown_channel_gets_HaiPays_4002()
    {
        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.ApplyAsync(Currency.HKD, Requests.Apply("FPS_HKD", "BANK_TRANSFER")));

        Assert.Equal("4002", rejected.Code);
    }

    [Fact]
    public async Task A_method_of_the_other_currency_is_an_unknown_channel()
    {
        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.ApplyAsync(Currency.HKD, Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "10.00")));

        Assert.Equal(SandboxErrorCodes.UnknownChannel, rejected.Code);
    }

    [Fact]
    public async Task A_duplicate_orderId_is_rejected_and_the_first_order_is_kept()
    {
        var first = Requests.Apply(amount: "10.00");
        var accepted = await _h.Client.ApplyAsync(Currency.HKD, first);

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.ApplyAsync(Currency.HKD, first with { Amount = "20.00" }));

        Assert.Equal(SandboxErrorCodes.DuplicateOrderId, rejected.Code);
        var order = _h.State.FindOrder(accepted.OrderNo)!;
        Assert.Equal(10.00m, order.Amount);
        Assert.Equal(new OrderCounters(2, 1, 0, 0, 0, 0, 0), order.Counters);
    }

    [Fact]
    public async Task Concurrent_applies_with_one_orderId_create_exactly_one_order()
    {
        var request = Requests.Apply();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            try
            {
                await _h.Client.ApplyAsync(Currency.HKD, request);
                return "accepted";
            }
            catch (HaiPayRejectedException ex)
            {
                return ex.Code;
            }
        }));

        Assert.Single(outcomes, o => o == "accepted");
        Assert.Equal(15, outcomes.Count(o => o == SandboxErrorCodes.DuplicateOrderId));
        Assert.Equal(new OrderCounters(16, 1, 0, 0, 0, 0, 0), _h.State.Counters.For(request.OrderId));
    }

    [Fact]
    public async Task An_appId_sent_as_a_JSON_string_is_read_like_a_number()
    {
        var fields = Requests.Apply().ToFields(_h.AppId(Currency.HKD));

        var envelope = await _h.PostSignedAsync("hkd/collect/apply", Currency.HKD, fields);

        Assert.Equal("1", envelope.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_same_orderId_may_be_used_once_per_appId()
    {
        var orderId = Requests.NewOrderId();

        var hkd = await _h.Client.ApplyAsync(Currency.HKD, Requests.Apply(orderId: orderId));
        var usd = await _h.Client.ApplyAsync(Currency.USD, Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "10.00", orderId));

        Assert.NotEqual(hkd.OrderNo, usd.OrderNo);
    }

    [Fact]
    public async Task Field_rule_violations_are_parameter_errors_naming_the_fields()
    {
        var request = Requests.Apply() with { Name = "Madonna", PartnerUserId = "user 42" };

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(Currency.HKD, request));

        Assert.Equal(SandboxErrorCodes.ParameterError, rejected.Code);
        Assert.Contains("name:", rejected.ProviderMessage);
        Assert.Contains("partnerUserId:", rejected.ProviderMessage);
        Assert.Null(_h.State.FindOrder(request.OrderId));
    }

    [Fact]
    public async Task An_appId_of_the_other_currency_is_rejected()
    {
        await using var misconfigured = new ProductClient(_h.Sandbox, new Dictionary<string, string?>
        {
            ["HaiPay:Credentials:HKD:AppId"] = _h.AppId(Currency.USD).ToString(),
        });

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            misconfigured.Client.ApplyAsync(Currency.HKD, Requests.Apply()));

        Assert.Equal(SandboxErrorCodes.AppIdCurrencyMismatch, rejected.Code);
        Assert.Contains("belongs to USD", rejected.ProviderMessage);
    }

    [Fact]
    public async Task A_request_signed_with_another_key_is_rejected()
    {
        var envelope = await _h.PostSignedAsync("hkd/collect/apply", Currency.HKD,
            Requests.Apply().ToFields(_h.AppId(Currency.HKD)), TestKeys.StrangerPrivateKey);

        Assert.Equal("0", envelope.GetProperty("status").GetString());
        Assert.Equal(SandboxErrorCodes.SignatureError, envelope.GetProperty("error").GetString());
        Assert.False(envelope.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_client_with_the_wrong_merchant_key_is_rejected_for_its_signature()
    {
        await using var wrongKey = new ProductClient(_h.Sandbox, new Dictionary<string, string?>
        {
            ["HaiPay:Credentials:USD:MerchantPrivateKey"] = TestKeys.StrangerPrivateKey,
        });

        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            wrongKey.Client.ApplyAsync(Currency.USD, Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "10.00")));

        Assert.Equal(SandboxErrorCodes.SignatureError, rejected.Code);
    }

    [Fact]
    public async Task A_request_signed_with_the_other_currencys_secretKey_is_rejected()
    {
        var fields = Requests.Apply().ToFields(_h.AppId(Currency.HKD));

        var envelope = await _h.PostSignedAsync("hkd/collect/apply", Currency.USD, fields);

        Assert.Equal(SandboxErrorCodes.SignatureError, envelope.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"appId\": {\"nested\": 1}}")]
    [InlineData("{\"orderId\": \"a\", \"orderId\": \"b\"}")]
    public async Task A_body_that_is_not_a_flat_JSON_object_is_a_parameter_error(string body)
    {
        var envelope = await _h.PostRawAsync("hkd/collect/apply", body);

        Assert.Equal("0", envelope.GetProperty("status").GetString());
        Assert.Equal(SandboxErrorCodes.ParameterError, envelope.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_a_parameter_error_even_when_chunked()
    {
        var huge = "{\"subject\":\"" + new string('x', 100_000) + "\"}";
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "hkd/collect/apply") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _h.Http.SendAsync(request);
        var envelope = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(SandboxErrorCodes.ParameterError, envelope.GetProperty("error").GetString());
        Assert.Contains("larger than", envelope.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task The_response_data_is_signed_by_the_platform_over_exactly_its_fields()
    {
        var request = Requests.Apply();
        var fields = request.ToFields(_h.AppId(Currency.HKD));

        var envelope = await _h.PostSignedAsync("hkd/collect/apply", Currency.HKD, fields);

        Assert.Equal("1", envelope.GetProperty("status").GetString());
        Assert.Equal("00000000", envelope.GetProperty("error").GetString());
        var data = envelope.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString());
        Assert.Equal(["orderId", "orderNo", "payUrl", "sign"], data.Keys.Order(StringComparer.Ordinal));
        using var platform = Signing.RsaKeys.LoadPublicKey(_h.Sandbox.Merchant.PlatformPublicKey);
        Assert.True(new Signing.HaiPaySigner(_h.Signature).VerifySigned(data, _h.SecretKey(Currency.HKD), platform));
        Assert.False(new Signing.HaiPaySigner(_h.Signature).VerifySigned(data, _h.SecretKey(Currency.USD), platform));
    }

    [Fact]
    public async Task A_configured_catalogue_replaces_the_seed_for_the_sandbox_and_the_product()
    {
        await using var h = await SandboxHarness.StartAsync(o => o.PaymentMethods =
        [
            new PaymentMethodOptions { Currency = "HKD", PayType = "BANK_TRANSFER", InBankCode = "FPS_HKD", Min = 10, Max = 20 },
        ]);

        var accepted = await h.Client.ApplyAsync(Currency.HKD, Requests.Apply("FPS_HKD", "BANK_TRANSFER", "15.00"));
        var tooMuch = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            h.Client.ApplyAsync(Currency.HKD, Requests.Apply("FPS_HKD", "BANK_TRANSFER", "20.01")));
        var seedMethod = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            h.Client.ApplyAsync(Currency.HKD, Requests.Apply("ALIPAY_HKD", "EWALLET", "15.00")));

        Assert.NotNull(h.State.FindOrder(accepted.OrderNo));
        Assert.Equal(SandboxErrorCodes.AmountOutOfLimit, tooMuch.Code);
        Assert.Equal(SandboxErrorCodes.UnknownChannel, seedMethod.Code);
        Assert.Equal("FPS_HKD", h.Sandbox.ToProductConfiguration()["HaiPay:PaymentMethods:0:InBankCode"]);
    }
}
