using Azure.Data.Tables;
using Collect.Core;
using Collect.Core.Storage;
using HaiPay.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Collect.Core.Tests.Support;

/// <summary>
/// One real Azurite and one real HaiPay sandbox (loopback Kestrel) shared by the tests of the
/// <see cref="CollectEnvironmentCollection"/>. Each test gets its own tables through <see cref="CreateProduct"/>, and
/// its own orderIds, so tests do not see each other's data. The sandbox drops callbacks by default: tests that need a
/// callback build and sign one themselves (<see cref="SignedCallbacks"/>).
/// </summary>
public sealed class CollectEnvironment : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; } = new();

    public SandboxApp Sandbox { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Sandbox = await SandboxApp.StartAsync(options =>
            options.DefaultBehaviour = new OrderBehaviour { Callback = new CallbackBehaviour { Drop = true } });
    }

    public async Task DisposeAsync()
    {
        if (Sandbox is not null)
        {
            await Sandbox.DisposeAsync();
        }
        await Azurite.DisposeAsync();
    }

    /// <summary>
    /// The product's services as a host builds them (<see cref="CollectCoreServiceCollectionExtensions.AddCollectCore"/>)
    /// against this Azurite and sandbox, with fresh table names. <paramref name="settings"/> overrides configuration;
    /// <paramref name="configure"/> adds to the services (a counting pipeline policy, say).
    /// </summary>
    public ServiceProvider CreateProduct(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null,
        Action<IServiceCollection>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var values = new Dictionary<string, string?>(Sandbox.ToProductConfiguration(), StringComparer.OrdinalIgnoreCase)
        {
            ["OrderStorage"] = Azurite.ConnectionString,
            ["Collect:NotifyUrl"] = "http://127.0.0.1:9/api/haipay/notify",
            ["Collect:OrdersTable"] = "orders" + suffix,
            ["Collect:IndexTable"] = "index" + suffix,
            ["Collect:CreateWait"] = "00:00:05",
            // As the local runner's appsettings.json sets it.
            ["Ops:Access"] = "Loopback",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddCollectCore(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A store on fresh tables (for tests of the store alone).</summary>
    public OrderStore CreateStore(TimeProvider? time = null, string? ordersTable = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var options = Microsoft.Extensions.Options.Options.Create(new CollectOptions
        {
            NotifyUrl = "http://127.0.0.1:9/api/haipay/notify",
            OrdersTable = ordersTable ?? "orders" + suffix,
            IndexTable = "index" + suffix,
        });
        var tables = new TableServiceClient(Azurite.ConnectionString);
        return new OrderStore(tables, options, Microsoft.Extensions.Options.Options.Create(new Collect.Core.Events.EventOptions()),
            new OrderIndex(tables, options), time ?? TimeProvider.System, TestMetrics.Create(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OrderStore>.Instance);
    }
}

[CollectionDefinition(Name)]
public sealed class CollectEnvironmentCollection : ICollectionFixture<CollectEnvironment>
{
    public const string Name = "Azurite and sandbox";
}
