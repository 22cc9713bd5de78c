using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using TestSupport;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>A customer in real Chromium: the storefront creates an order, the customer pays on payUrl and lands back in the shop.</summary>
[Collection(NotifiedStack.Name)]
public sealed class BrowserCheckoutTests(NotifiedStackFixture fixture, ITestOutputHelper output)
{
    private readonly CollectStack _stack = fixture.Stack;

    [ChromiumFact]
    public Task A_customer_pays_on_the_checkout_page_and_lands_on_callBackUrl() => _stack.RunAsync(output, async () =>
    {
        await using var shop = await ShopPages.StartAsync();
        var orderId = OrderRequest.NewOrderId("browser");
        var paidPage = new Uri(shop.BaseUrl, $"paid?order={orderId}").ToString();
        var created = await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId,
            callBackUrl: paidPage, callBackFailUrl: new Uri(shop.BaseUrl, $"failed?order={orderId}").ToString()));
        Assert.Equal(HttpStatusCode.Created, created.Status);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser);
        await page.GotoAsync(created.View.PayUrl!);
        Assert.Equal("128.50 HKD", (await page.Locator("#amount").TextContentAsync())?.Trim());
        Assert.Equal(orderId, (await page.Locator("#order-id").TextContentAsync())?.Trim());

        await page.Locator("#pay").ClickAsync();
        await page.WaitForURLAsync(paidPage, new() { WaitUntil = WaitUntilState.Commit });

        Assert.Equal("Thank you for your order", (await page.Locator("h1").TextContentAsync())?.Trim());
        var paid = await _stack.Orders.WaitForStatusAsync(orderId, "Succeeded", Scenario.Patience);
        Assert.Equal("128.50", paid.ActualAmount);
        Assert.Equal(created.View.OrderNo, paid.OrderNo);
    });

    /// <summary>The storefront's return pages (callBackUrl, callBackFailUrl) on a loopback port.</summary>
    private sealed class ShopPages : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ShopPages(WebApplication app, Uri baseUrl)
        {
            _app = app;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public static async Task<ShopPages> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/paid", () => Page("Thank you for your order"));
            app.MapGet("/failed", () => Page("Your payment did not go through"));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ShopPages(app, new Uri(address + "/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static IResult Page(string heading) => Results.Content(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title></head><body><h1>{heading}</h1></body></html>",
            "text/html; charset=utf-8");
    }
}
