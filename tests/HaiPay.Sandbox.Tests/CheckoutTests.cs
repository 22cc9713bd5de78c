using System.Net;
using HaiPay.Sandbox.Tests.Support;

namespace HaiPay.Sandbox.Tests;

/// <summary>The checkout page over plain HTTP (the browser test drives it in Chromium).</summary>
public sealed class CheckoutTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_page_shows_the_order_and_its_three_buttons_without_external_assets()
    {
        var request = Requests.Apply("HK_WXPAY_SCANCODE_USD", "EWALLET", "12.30");
        var applied = await _h.Client.ApplyAsync(Currency.USD, request);

        using var response = await _h.Http.GetAsync(applied.PayUrl);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("12.30 USD", html);
        Assert.Contains("HK_WXPAY_SCANCODE_USD", html);
        Assert.Contains(request.OrderId, html);
        Assert.Contains("Awaiting payment (1)", html);
        Assert.Contains($"action=\"/checkout/{applied.OrderNo}/pay\"", html);
        Assert.Contains($"action=\"/checkout/{applied.OrderNo}/fail\"", html);
        Assert.Contains($"action=\"/checkout/{applied.OrderNo}/partial\"", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("href=", html);
    }

    [Theory]
    [InlineData("pay", "paid", CollectionStatus.Success)]
    [InlineData("partial", "paid", CollectionStatus.PartialCollection)]
    [InlineData("fail", "failed", CollectionStatus.Failed)]
    public async Task A_button_settles_the_order_and_redirects_with_303(string action, string landing, CollectionStatus status)
    {
        var request = Requests.Apply() with
        {
            CallBackUrl = "http://127.0.0.1:9/paid?x=1",
            CallBackFailUrl = "http://127.0.0.1:9/failed?x=1",
        };
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        using var response = await _h.Http.PostAsync($"checkout/{applied.OrderNo}/{action}", null);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"http://127.0.0.1:9/{landing}?x=1", response.Headers.Location!.ToString());
        Assert.Equal(status, (await _h.Client.QueryAsync(Currency.HKD, request.OrderId)).Status);
    }

    [Fact]
    public async Task A_final_order_shows_its_final_state_and_cannot_be_paid_again()
    {
        var request = Requests.Apply();
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);
        _h.Sandbox.Orders.Settle(request.OrderId, SettleAction.Fail, errorMsg: "Expired");

        using var page = await _h.Http.GetAsync(applied.PayUrl);
        using var payAgain = await _h.Http.PostAsync($"checkout/{applied.OrderNo}/pay", null);
        var html = await page.Content.ReadAsStringAsync();
        var refusal = await payAgain.Content.ReadAsStringAsync();

        Assert.Contains("Failed (3)", html);
        Assert.Contains("Expired", html);
        Assert.DoesNotContain("<button", html);
        Assert.Equal(HttpStatusCode.Conflict, payAgain.StatusCode);
        Assert.Contains("already final", refusal);
        Assert.Equal(CollectionStatus.Failed, _h.State.FindOrder(request.OrderId)!.Status);
    }

    [Fact]
    public async Task An_unknown_order_is_404()
    {
        using var page = await _h.Http.GetAsync("checkout/SBX000");
        using var pay = await _h.Http.PostAsync("checkout/SBX000/pay", null);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pay.StatusCode);
    }

    [Fact]
    public async Task Html_in_order_fields_is_encoded()
    {
        var request = Requests.Apply(orderId: "<b>x</b>");
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);

        var html = await _h.Http.GetStringAsync(applied.PayUrl);

        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>x</b>", html);
    }

    [Fact]
    public async Task PayUrl_uses_the_configured_public_base()
    {
        await using var h = await SandboxHarness.StartAsync(o => o.PublicBaseUrl = new Uri("http://localhost:8080/haipay"));

        var applied = await h.Client.ApplyAsync(Currency.HKD, Requests.Apply());

        Assert.Equal($"http://localhost:8080/haipay/checkout/{applied.OrderNo}", applied.PayUrl);
    }
}
