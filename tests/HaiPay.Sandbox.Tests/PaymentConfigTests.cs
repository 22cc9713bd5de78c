using System.Net;
using System.Text;
using System.Text.Json;
using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Sandbox.Tests.Support;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Tests;

/// <summary><c>POST /common/payment/config</c> and the control API's methods, through the product's real client.</summary>
public sealed class PaymentConfigTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_signed_answer_lists_each_currencys_available_methods_with_their_limits()
    {
        var hkd = await _h.Client.GetPaymentConfigAsync(Currency.HKD);
        var usd = await _h.Client.GetPaymentConfigAsync(Currency.USD);

        Assert.Equal(
        [
            new LivePaymentMethod("WXPAY_SCANCODE", "WeChat QR code payment", 1m, 1000m),
            new LivePaymentMethod("ALIPAY_HKD", "AlipayHK", 1m, 5000m),
        ], hkd);
        Assert.Equal(["HK_WXPAY_SCANCODE_USD", "ALIPAY_USD"], usd.Select(m => m.InBankCode));
    }

    [Fact]
    public async Task A_method_put_into_maintenance_leaves_the_list_and_apply_refuses_it_until_it_is_back()
    {
        var into = await PutAsync("usd/ALIPAY_USD", """{"state":"maintenance"}""");
        var applied = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.ApplyAsync(Currency.USD, Requests.Apply(amount: "10.00", payType: "BANK_TRANSFER", inBankCode: "ALIPAY_USD")));

        Assert.Equal(HttpStatusCode.OK, into.Status);
        Assert.DoesNotContain(await _h.Client.GetPaymentConfigAsync(Currency.USD), m => m.InBankCode == "ALIPAY_USD");
        Assert.Equal(SandboxErrorCodes.MethodUnderMaintenance, applied.Code);

        var back = await PutAsync("usd/PAYME_USD", """{"state":"available","min":"5.00","max":"200.00"}""");

        Assert.Equal(HttpStatusCode.OK, back.Status);
        Assert.Contains(new LivePaymentMethod("PAYME_USD", "PayMe", 5m, 200m), await _h.Client.GetPaymentConfigAsync(Currency.USD));
        var tooMuch = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            _h.Client.ApplyAsync(Currency.USD, Requests.Apply(amount: "200.01", payType: "BANK_TRANSFER", inBankCode: "PAYME_USD")));
        Assert.Equal(SandboxErrorCodes.AmountOutOfLimit, tooMuch.Code);
        await _h.Client.ApplyAsync(Currency.USD, Requests.Apply(amount: "200.00", payType: "BANK_TRANSFER", inBankCode: "PAYME_USD"));

        await _h.Http.PostAsync("_sandbox/reset", null);
        Assert.Contains(await _h.Client.GetPaymentConfigAsync(Currency.USD), m => m.InBankCode == "ALIPAY_USD");
    }

    [Theory]
    [InlineData("hkd/ALIPAY_HKD", """{"state":"closed"}""", 400)]
    [InlineData("hkd/ALIPAY_HKD", """{"min":"-1"}""", 400)]
    [InlineData("hkd/ALIPAY_HKD", """{"min":"10.00","max":"5.00"}""", 400)]
    [InlineData("hkd/ALIPAY_HKD", """{"max":"1e9"}""", 400)]
    [InlineData("hkd/ALIPAY_HKD", "not json", 400)]
    [InlineData("hkd/ALIPAY_USD", """{"state":"maintenance"}""", 404)]
    [InlineData("eur/ALIPAY_HKD", """{"state":"maintenance"}""", 404)]
    public async Task Bad_changes_get_problem_details_and_change_nothing(string path, string body, int status)
    {
        var before = await _h.Http.GetStringAsync("_sandbox/methods");

        var answer = await PutAsync(path, body);

        Assert.Equal((HttpStatusCode)status, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(before, await _h.Http.GetStringAsync("_sandbox/methods"));
    }

    [Fact]
    public async Task An_unsigned_or_stranger_request_gets_an_error_envelope()
    {
        var unsigned = await PostConfigAsync($$"""{"appId":{{_h.AppId(Currency.HKD)}},"tranCode":"collect"}""");
        var stranger = await PostConfigAsync("""{"appId":123,"sign":"x"}""");
        var broken = await PostConfigAsync("[1,2");

        Assert.Equal("0", unsigned.GetProperty("status").GetString());
        Assert.Equal("0", stranger.GetProperty("status").GetString());
        Assert.Equal("0", broken.GetProperty("status").GetString());
        Assert.False(unsigned.TryGetProperty("data", out _));
    }

    private async Task<(HttpStatusCode Status, string? ContentType)> PutAsync(string path, string body)
    {
        using var response = await _h.Http.PutAsync($"_sandbox/methods/{path}", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> PostConfigAsync(string body)
    {
        using var response = await _h.Http.PostAsync("common/payment/config", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
