using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using TestSupport;
using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>
/// The merchant's loop with real processes: storefront events reach the sandbox's storefront receiver, signed; a
/// failing storefront is retried and recovers; a killed runner still delivers; operators act through the API and the
/// console in real Chromium. Own stack: fast event retries, and it kills the runner.
/// </summary>
public sealed class MerchantLoopTests(ITestOutputHelper output) : IAsyncLifetime
{
    private CollectStack _stack = null!;

    public async Task InitializeAsync() => _stack = await CollectStack.StartAsync(new StackSettings
    {
        TaskHub = "e2eloop",
        Sandbox = new Dictionary<string, string> { ["Sandbox:CallbackRetryInterval"] = "00:00:01" },
        Product = new Dictionary<string, string>
        {
            ["Collect:QueryBackoff"] = "00:00:02,00:00:05",
            ["Collect:Deadline"] = "00:10:00",
            ["Events:RetrySchedule"] = "00:00:01*3,00:00:02*3",
            // The sweep is the safety net for a delivery whose start was lost with a killed process: make it quick.
            ["Collect:SweepGrace"] = "00:00:10",
            ["Collect:SweepInterval"] = "00:00:05",
        },
    });

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    private async Task<List<StorefrontEvent>> ReceivedAsync(string orderId) =>
        (await _stack.Control.StorefrontEventsAsync()).Where(e => e.OrderId == orderId).ToList();

    private Task<List<StorefrontEvent>> WaitForEventAsync(string orderId, string type, int answered = 200) =>
        Scenario.WaitForAsync(() => ReceivedAsync(orderId), events => events.Any(e => e.Type == type && e.Answered == answered),
            $"received {type} for {orderId}");

    private async Task<string> PaidOrderAsync(string prefix, string action = "pay")
    {
        var orderId = OrderRequest.NewOrderId(prefix);
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);
        await _stack.Control.ActAsync(orderId, action);
        return orderId;
    }

    [Fact]
    public Task A_paid_order_reaches_the_storefront_as_a_signed_order_succeeded_event() => _stack.RunAsync(output, async () =>
    {
        var orderId = await PaidOrderAsync("evt-paid");

        var events = await WaitForEventAsync(orderId, "order.succeeded");

        var succeeded = events.Single(e => e.Type == "order.succeeded" && e.Answered == 200);
        Assert.True(succeeded.Verified);
        Assert.Equal(($"evt_{orderId}_{succeeded.Sequence}", "Succeeded"), (succeeded.Id, succeeded.Status));
        // Any earlier event (awaiting_payment) came first in sequence, or was superseded and never sent with stale data.
        Assert.All(events.Where(e => e.Type != "order.succeeded"), e => Assert.True(e.Sequence < succeeded.Sequence));
    });

    [Fact]
    public Task A_failing_storefront_is_retried_until_it_answers_and_every_attempt_is_recorded() => _stack.RunAsync(output, async () =>
    {
        var orderId = OrderRequest.NewOrderId("evt-retry");
        await _stack.Control.FailStorefrontAsync(2, 500);
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(orderId))).Status);

        var events = await WaitForEventAsync(orderId, "order.awaiting_payment");

        Assert.Equal([500, 500, 200], events.Where(e => e.Type == "order.awaiting_payment").Select(e => e.Answered));
        var (status, body) = await _stack.Orders.OpsAsync(HttpMethod.Get, $"orders/{orderId}");
        Assert.Equal(HttpStatusCode.OK, status);
        var recorded = JsonDocument.Parse(body).RootElement.GetProperty("events")[0];
        Assert.Equal("Delivered", recorded.GetProperty("state").GetString());
        Assert.Equal([500, 500, 200], recorded.GetProperty("attemptLog").EnumerateArray().Select(a => a.GetProperty("httpStatus").GetInt32()));
    });

    [Fact]
    [Trait(ProductHost.RunnerOnlyTrait, ProductHost.RunnerOnly)] // Relies on Collect:SweepInterval; the Functions app sweeps on a fixed schedule.
    public Task A_delivery_survives_the_runner_being_killed_while_the_storefront_is_down_even_if_its_start_was_lost() => _stack.RunAsync(output, async () =>
    {
        await _stack.Control.FailStorefrontAsync(1000, 503);
        var orderId = await PaidOrderAsync("evt-kill");
        await Scenario.WaitForAsync(() => ReceivedAsync(orderId), e => e.Count(x => x.Answered == 503) >= 2, "failed twice");

        _stack.Product.Kill();
        await _stack.Control.FailStorefrontAsync(0);
        await _stack.Product.StartAsync(CancellationToken.None);

        await WaitForEventAsync(orderId, "order.succeeded");
    });

    [Fact]
    public Task Operators_resolve_a_review_and_cancel_a_waiting_order_and_the_storefront_hears_of_both() => _stack.RunAsync(output, async () =>
    {
        var partial = await PaidOrderAsync("ops-partial", "partial");
        await _stack.Orders.WaitForStatusAsync(partial, "NeedsReview", Scenario.Patience);
        var waiting = OrderRequest.NewOrderId("ops-cancel");
        Assert.Equal(HttpStatusCode.Created, (await _stack.Orders.CreateAsync(OrderRequest.Hkd(waiting))).Status);

        var refused = await _stack.Orders.OpsAsync(HttpMethod.Post, $"orders/{waiting}/resolve", new { outcome = "Succeeded", note = "no" });
        var resolved = await _stack.Orders.OpsAsync(HttpMethod.Post, $"orders/{partial}/resolve", new { outcome = "Succeeded", note = "customer paid the rest by bank transfer" });
        var cancelled = await _stack.Orders.OpsAsync(HttpMethod.Post, $"orders/{waiting}/cancel", new { note = "out of stock" });
        var cancelAgain = await _stack.Orders.OpsAsync(HttpMethod.Post, $"orders/{waiting}/cancel", new { note = "again" });

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict),
            (refused.Status, resolved.Status, cancelled.Status, cancelAgain.Status));
        await WaitForEventAsync(partial, "order.succeeded");
        await WaitForEventAsync(waiting, "order.cancelled");
        Assert.Equal("customer paid the rest by bank transfer", (await _stack.Orders.GetAsync(partial))!.ResolutionNote);
        await Scenario.WaitForAsync(() => _stack.Stored.RuntimeStatusAsync(waiting), s => s == "Completed", "the cancelled order's orchestration ended");
        var review = await _stack.Orders.OpsAsync(HttpMethod.Get, "orders?status=NeedsReview");
        Assert.DoesNotContain(partial, review.Body);
    });

    [ChromiumFact]
    public Task An_operator_finds_an_order_reads_its_timeline_resolves_it_in_the_console_and_sees_the_event_delivered() => _stack.RunAsync(output, async () =>
    {
        var orderId = await PaidOrderAsync("console", "partial");
        await _stack.Orders.WaitForStatusAsync(orderId, "NeedsReview", Scenario.Patience);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser, new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(new Uri(_stack.Product.BaseUrl, "ops").ToString());

        // The review queue lists it; the search finds it.
        await page.Locator("#list-body").GetByText(orderId).WaitForAsync();
        await page.Locator("#orderId").FillAsync(orderId);
        await page.Locator("#search button").ClickAsync();
        await page.Locator("#t-status").GetByText("NeedsReview").WaitForAsync();
        Assert.Contains("HKD 128.50", await page.Locator("#t-facts").InnerTextAsync());
        Assert.Contains("+08:00", await page.Locator("#t-audit").InnerTextAsync());
        Assert.Contains("partial collection", await page.Locator("#t-facts").InnerTextAsync());

        await page.Locator("[data-action=resolve-Succeeded]").ClickAsync();
        await page.Locator("#note").FillAsync("customer paid the rest in the shop");
        await page.Locator("#confirm-yes").ClickAsync();

        await page.Locator("#t-status").GetByText("Succeeded").WaitForAsync();
        Assert.Contains("local operator", await page.Locator("#t-audit").InnerTextAsync());
        await WaitForEventAsync(orderId, "order.succeeded");
        await page.Locator("#orderId").FillAsync(orderId);
        await page.Locator("#search button").ClickAsync();
        await page.Locator("#t-events").GetByText("order.succeeded").WaitForAsync();
        await Scenario.WaitForAsync(async () =>
        {
            await page.Locator("#search button").ClickAsync();
            await page.Locator("#t-events").GetByText("order.succeeded").WaitForAsync();
            return await page.Locator("#t-events").InnerTextAsync();
        }, events => events.Contains("Delivered"), "the console showing the event delivered");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepositoryRoot.Combine("TestResults", "ops-console.png"), FullPage = true });
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    });
}
