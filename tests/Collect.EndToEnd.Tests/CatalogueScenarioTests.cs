using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using TestSupport;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>A stack whose product refreshes HaiPay's live method list every second (its own sandbox, so method changes stay here).</summary>
public sealed class CatalogueStackFixture() : StackFixture(new StackSettings
{
    TaskHub = "e2ecatalogue",
    Product = new Dictionary<string, string>
    {
        ["Catalogue:RefreshInterval"] = "00:00:01",
        ["Collect:QueryBackoff"] = "00:05:00",
        ["Collect:Deadline"] = "00:10:00",
    },
});

/// <summary>
/// The live catalogue end to end: HaiPay puts a method into maintenance while the product runs, creates for it get the
/// maintenance 400 and reach HaiPay not at all; HaiPay brings it back (and PAYME_USD, in maintenance in the configured
/// table, comes out of it) and creates go through, within the limits HaiPay lists now.
/// </summary>
public sealed class CatalogueScenarioTests(CatalogueStackFixture fixture, ITestOutputHelper output) : IClassFixture<CatalogueStackFixture>
{
    private readonly CollectStack _stack = fixture.Stack;

    [Fact]
    public Task A_method_going_into_maintenance_and_back_is_followed_while_the_product_runs() => _stack.RunAsync(output, async () =>
    {
        await WaitForMethodAsync("HKD", "ALIPAY_HKD", "Available");
        var before = OrderRequest.NewOrderId("catalogue-before");
        Assert.True(Accepted(await _stack.Orders.CreateAsync(OrderRequest.Hkd(before))));

        await _stack.Control.ChangeMethodAsync("hkd", "ALIPAY_HKD", new { state = "maintenance" });
        await WaitForMethodAsync("HKD", "ALIPAY_HKD", "Maintenance");

        var during = OrderRequest.NewOrderId("catalogue-during");
        var refused = await _stack.Orders.CreateAsync(OrderRequest.Hkd(during));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.MediaType);
        Assert.Equal("ALIPAY_HKD is under maintenance",
            refused.Document.GetProperty("errors").GetProperty("inBankCode")[0].GetString());
        Assert.Equal(0, (await _stack.Control.CountersAsync(during)).Applies);
        Assert.Null(await _stack.Orders.GetAsync(during));

        await _stack.Control.ChangeMethodAsync("hkd", "ALIPAY_HKD", new { state = "available", max = "200.00" });
        await _stack.Control.ChangeMethodAsync("usd", "PAYME_USD", new { state = "available" });
        await WaitForMethodAsync("HKD", "ALIPAY_HKD", "Available", max: "200.00");
        await WaitForMethodAsync("USD", "PAYME_USD", "Available");

        var tooMuch = await _stack.Orders.CreateAsync(OrderRequest.Hkd(OrderRequest.NewOrderId("catalogue-over"), amount: "200.01"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.Status);
        Assert.Contains("above the ALIPAY_HKD limit 200.00", tooMuch.Document.GetProperty("errors").GetProperty("amount")[0].GetString());

        var after = OrderRequest.NewOrderId("catalogue-after");
        var payMe = OrderRequest.NewOrderId("catalogue-payme");
        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(after, amount: "200.00"));
        var createdPayMe = await _stack.Orders.CreateAsync(OrderRequest.Usd(payMe) with { InBankCode = "PAYME_USD" });
        Assert.True(Accepted(created), created.ToString());
        Assert.True(Accepted(createdPayMe), createdPayMe.ToString());
        Assert.NotNull((await _stack.Orders.WaitForStatusAsync(payMe, "AwaitingPayment", Scenario.Patience)).PayUrl);
        await _stack.Orders.WaitForStatusAsync(after, "AwaitingPayment", Scenario.Patience);
        await _stack.Control.ActAsync(after, "pay");
        await _stack.Orders.WaitForStatusAsync(after, "Succeeded", Scenario.Patience);
    });

    [ChromiumFact]
    public Task The_console_lists_the_methods_in_force_with_their_source() => _stack.RunAsync(output, async () =>
    {
        await WaitForMethodAsync("HKD", "WXPAY_SCANCODE", "Available");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser);
        await page.GotoAsync(new Uri(_stack.Product.BaseUrl, "ops").ToString());

        await page.Locator("[data-list=catalogue]").ClickAsync();

        var wechat = page.Locator("#list-body tr", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^\s*HKD\s*WXPAY_SCANCODE ") });
        await wechat.WaitForAsync();
        var cells = await wechat.Locator("td").AllInnerTextsAsync();
        Assert.Equal(["HKD", "EWALLET", "Available", "1.00", "1000.00"], new[] { cells[0], cells[2], cells[3], cells[4], cells[5] });
        Assert.StartsWith("HaiPay, ", cells[6]);
        Assert.Contains("+08:00", cells[6]);
    });

    private static bool Accepted(CreateAnswer answer) => answer.Status is HttpStatusCode.Created or HttpStatusCode.Accepted;

    /// <summary>Waits until <c>GET /api/ops/catalogue</c> shows the method so, from HaiPay's live list.</summary>
    private Task WaitForMethodAsync(string currency, string inBankCode, string state, string? max = null) =>
        Scenario.WaitForAsync(async () =>
        {
            var (status, body) = await _stack.Orders.OpsAsync(HttpMethod.Get, "catalogue");
            Assert.Equal(HttpStatusCode.OK, status);
            using var json = JsonDocument.Parse(body);
            var view = json.RootElement.GetProperty("currencies").EnumerateArray().Single(c => c.GetProperty("currency").GetString() == currency);
            var method = view.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("inBankCode").GetString() == inBankCode);
            return $"{view.GetProperty("source").GetString()} {method.GetProperty("state").GetString()} {method.GetProperty("max").GetString()}";
        }, shown => shown.StartsWith($"live {state} {max}", StringComparison.Ordinal), $"showed {currency} {inBankCode} {state} {max}");
}
