using Microsoft.Playwright;
using TestSupport;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>
/// One headless Debian Chromium per test class, driven by Playwright's bundled driver (never a downloaded browser).
/// Launched on first use, so a class whose tests are all skipped launches nothing.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<IPage> NewPageAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumFactAttribute.RequireChromium(),
                    Headless = true,
                    Args = ChromiumFactAttribute.HeadlessArguments,
                });
            }
        }
        finally
        {
            _gate.Release();
        }
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // Two cores shared with every other test project: give the browser room (a wait, never an assertion on time).
        page.SetDefaultTimeout(90_000);
        return page;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        _gate.Dispose();
    }
}
