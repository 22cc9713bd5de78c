using HaiPay.Sandbox.Keys;
using HaiPay.Sandbox.Orders;

namespace HaiPay.Sandbox;

/// <summary>
/// The sandbox running in-process on 127.0.0.1 and a free port, for tests and benchmarks of other projects:
/// <code>
/// await using var sandbox = await SandboxApp.StartAsync(o => o.CallbackRetryInterval = TimeSpan.FromMilliseconds(50));
/// var configuration = new ConfigurationBuilder().AddInMemoryCollection(sandbox.ToProductConfiguration()).Build();
/// </code>
/// </summary>
public sealed class SandboxApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxApp(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<SandboxAddress>();
        BaseUrl = address.BaseUrl;
        Merchant = app.Services.GetRequiredService<SandboxMerchantSettings>();
        State = app.Services.GetRequiredService<SandboxState>();
        Orders = app.Services.GetRequiredService<OrderLifecycle>();
    }

    /// <summary>Builds and starts a sandbox on <c>http://127.0.0.1:{free port}</c>.</summary>
    /// <param name="configure">Adjusts the options after configuration (retry interval, fee, behaviour, keys, ...).</param>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<SandboxApp> StartAsync(Action<SandboxOptions>? configure = null, CancellationToken ct = default)
    {
        var app = SandboxHost.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning"], configure);
        try
        {
            await app.StartAsync(ct);
            return new SandboxApp(app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The sandbox's address, e.g. <c>http://127.0.0.1:41234/</c> (HaiPay:BaseUrl).</summary>
    public Uri BaseUrl { get; }

    /// <summary>What the merchant configures: appIds, secretKeys, merchant private key, platform public key.</summary>
    public SandboxMerchantSettings Merchant { get; }

    /// <summary>Orders, counters, behaviours and faults, in memory.</summary>
    public SandboxState State { get; }

    /// <summary>Direct order actions: pay, fail, partial, over, confirm, resend callback.</summary>
    public OrderLifecycle Orders { get; }

    /// <summary>The sandbox's own services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The product's <c>HaiPay:*</c> configuration for this sandbox (contains private keys; keep it in memory).</summary>
    public IReadOnlyDictionary<string, string?> ToProductConfiguration() => Merchant.ToProductConfiguration();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
