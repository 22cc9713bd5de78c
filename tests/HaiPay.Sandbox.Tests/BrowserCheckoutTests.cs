using Microsoft.Playwright;
using HaiPay.Sandbox.Tests.Support;
using TestSupport;

namespace HaiPay.Sandbox.Tests;

/// <summary>A customer in real (headless) Chromium pays on the sandbox's checkout page.</summary>
public sealed class BrowserCheckoutTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    [ChromiumFact]
    public async Task Paying_in_the_browser_lands_on_callBackUrl_and_notifies_the_merchant()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var h = await SandboxHarness.StartAsync();
        var orderId = Requests.NewOrderId();
        var request = Requests.Apply(amount: "88.80", orderId: orderId, notifyUrl: receiver.NotifyUrl,
            callBackUrl: receiver.PaidUrl(orderId), callBackFailUrl: receiver.FailedUrl(orderId));
        var applied = await h.Client.ApplyAsync(Currency.HKD, request);

        var page = await chromium.NewPageAsync();
        await page.GotoAsync(applied.PayUrl);
        var amountShown = await page.Locator("#amount").InnerTextAsync();
        var statusShown = await page.Locator("#status").InnerTextAsync();
        await page.Locator("#pay").ClickAsync();
        await page.WaitForURLAsync(receiver.PaidUrl(orderId), new() { WaitUntil = WaitUntilState.Commit });
        var landing = await page.Locator("#result").InnerTextAsync();
        var callback = Assert.Single(await receiver.WaitForAsync(orderId, 1));

        Assert.Equal("88.80 HKD", amountShown);
        Assert.Equal("Awaiting payment (1)", statusShown);
        Assert.Equal("Thank you, paid", landing);
        Assert.Equal("2", callback.Status);
        Assert.Equal("88.80", callback.Fields["amount"]);
        Assert.Equal(CollectionStatus.Success, (await h.Client.QueryAsync(Currency.HKD, orderId)).Status);

        await page.GotoAsync(applied.PayUrl);
        Assert.Equal("Paid (2)", await page.Locator("#status").InnerTextAsync());
        Assert.Equal(0, await page.Locator("button").CountAsync());
    }

    [ChromiumFact]
    public async Task Failing_in_the_browser_lands_on_callBackFailUrl()
    {
        await using var receiver = await CallbackReceiver.StartAsync();
        await using var h = await SandboxHarness.StartAsync();
        var orderId = Requests.NewOrderId();
        var applied = await h.Client.ApplyAsync(Currency.USD, Requests.Apply("ALIPAY_USD", "BANK_TRANSFER", "5.00", orderId,
            receiver.NotifyUrl, receiver.PaidUrl(orderId), receiver.FailedUrl(orderId)));

        var page = await chromium.NewPageAsync();
        await page.GotoAsync(applied.PayUrl);
        await page.Locator("#fail").ClickAsync();
        await page.WaitForURLAsync(receiver.FailedUrl(orderId), new() { WaitUntil = WaitUntilState.Commit });
        var callback = Assert.Single(await receiver.WaitForAsync(orderId, 1));

        Assert.Equal("Payment failed", await page.Locator("#result").InnerTextAsync());
        Assert.Equal("3", callback.Status);
    }
}
