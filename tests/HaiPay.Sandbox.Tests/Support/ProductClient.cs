using HaiPay.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>
/// The product's real <see cref="IHaiPayClient"/>, registered with <c>AddHaiPayClient</c> from the sandbox's
/// product configuration plus any overrides (a short AttemptTimeout, a wrong appId or key).
/// </summary>
internal sealed class ProductClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ProductClient(SandboxApp sandbox, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(sandbox.ToProductConfiguration())
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddHaiPayClient(configuration);
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<IHaiPayClient>();
    }

    public IHaiPayClient Client { get; }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
