using Microsoft.Playwright;
using TestSupport;

namespace Collect.EndToEnd;

/// <summary>Debian's Chromium, headless, driven by Playwright (never a downloaded browser).</summary>
public static class HeadlessChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumFactAttribute.RequireChromium(),
        Headless = true,
        Args = ChromiumFactAttribute.HeadlessArguments,
    });

    /// <summary>A page whose waits allow for two cores shared with the stack's processes (a wait, never an assertion on time).</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, BrowserNewPageOptions? options = null)
    {
        var page = await browser.NewPageAsync(options);
        page.SetDefaultTimeout(90_000);
        return page;
    }
}
