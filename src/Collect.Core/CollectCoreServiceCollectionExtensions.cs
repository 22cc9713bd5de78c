using Azure.Data.Tables;
using Azure.Identity;
using Collect.Core.Callbacks;
using Collect.Core.Catalogue;
using Collect.Core.Collection;
using Collect.Core.Events;
using Collect.Core.Http;
using Collect.Core.Operations;
using Collect.Core.Keys;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using HaiPay.Client;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Collect.Core;

public static class CollectCoreServiceCollectionExtensions
{
    /// <summary>Connection setting of the orders and audit tables: a connection string, or a section with <c>tableServiceUri</c>.</summary>
    public const string OrderStorageSetting = "OrderStorage";

    public const string KeyVaultUriSetting = "KeyVault:Uri";

    /// <summary>
    /// The app's Entra ID credential for every Azure service it calls (storage, Key Vault, Application Insights):
    /// managed identity in Azure (<c>AZURE_CLIENT_ID</c> picks the user-assigned one), developer credentials locally.
    /// </summary>
    public static DefaultAzureCredential AppCredential(IConfiguration configuration) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });

    /// <summary>
    /// Registers everything a host needs to serve the collection product: <see cref="CollectOptions"/> (validated at
    /// start), the HaiPay client with a standard resilience pipeline, the Azure clients (Table Storage, Key Vault when
    /// <c>KeyVault:Uri</c> is set) with <see cref="DefaultAzureCredential"/>, the order store, the credential source,
    /// the activities and the HTTP handlers. The host registers the orchestrator and activities with its engine.
    /// </summary>
    public static IServiceCollection AddCollectCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CollectOptions>()
            .Bind(configuration.GetSection(CollectOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CollectOptions>, CollectOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<CollectMetrics>();
        services.TryAddSingleton<ICredentialLoadObserver, ConfiguredKeyLoads>();
        services.AddOptions<EventOptions>()
            .Bind(configuration.GetSection(EventOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventOptions>, EventOptionsValidator>());

        services.AddOptions<CatalogueOptions>()
            .Bind(configuration.GetSection(CatalogueOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CatalogueOptions>, CatalogueOptionsValidator>());

        var keyVaultUri = configuration[KeyVaultUriSetting];
        services.AddAzureClients(azure =>
        {
            azure.UseCredential(AppCredential(configuration));
            azure.AddClient<TableServiceClient, TableClientOptions>((tableOptions, credential, _) =>
                CreateTableServiceClient(configuration.GetSection(OrderStorageSetting), tableOptions, credential));
            if (!string.IsNullOrWhiteSpace(keyVaultUri))
            {
                azure.AddSecretClient(new Uri(keyVaultUri));
            }
        });

        // Key Vault when configured; otherwise AddHaiPayClient falls back to keys from configuration (local runs).
        if (!string.IsNullOrWhiteSpace(keyVaultUri))
        {
            services.TryAddSingleton<KeyVaultCredentialSource>();
            services.TryAddSingleton<IHaiPayCredentialSource>(sp => sp.GetRequiredService<KeyVaultCredentialSource>());
            services.TryAddSingleton<IStorefrontSecrets, KeyVaultStorefrontSecrets>();
        }
        services.TryAddSingleton<IStorefrontSecrets, ConfiguredStorefrontSecrets>();
        // Storefront deliveries: no redirects followed, no retries here (the delivery schedule is the retry).
        services.AddHttpClient(EventDelivery.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        services.AddHaiPayClient(configuration)
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) => ConfigureHaiPayResilience(resilience, sp.GetRequiredService<IOptions<HaiPayOptions>>().Value));
        MeteredHaiPayClient.Decorate(services);

        services.TryAddSingleton<OrderStore>();
        services.TryAddSingleton<OrderIndex>();
        services.TryAddSingleton<SettlementService>();
        services.TryAddSingleton<CallbackBounds>();
        services.TryAddSingleton<UnaddressedCallbacks>();
        services.TryAddSingleton<ReconciliationSweep>();
        services.TryAddSingleton<HistoryRetention>();
        services.TryAddSingleton<CustomerDataRetention>();
        services.TryAddSingleton<RetentionJobs>();
        services.TryAddSingleton<ServiceHealth>();
        services.AddOptions<OpsOptions>().Bind(configuration.GetSection(OpsOptions.SectionName));
        services.TryAddSingleton<OpsHandler>();
        services.TryAddSingleton<OpsConsole>();
        services.TryAddSingleton<EventDelivery>();
        services.TryAddSingleton<EventDispatch>();
        services.TryAddSingleton<LiveCatalogue>();
        services.AddHostedService<CatalogueRefreshService>();
        services.TryAddSingleton<CreateOrderValidator>();
        services.TryAddSingleton<ApplyActivity>();
        services.TryAddSingleton<QueryActivity>();
        services.TryAddSingleton<ExpireActivity>();
        services.TryAddSingleton<OrdersHandler>();
        services.TryAddSingleton<NotifyHandler>();
        return services;
    }

    /// <summary>
    /// HaiPay's HTTP pipeline. Apply is not idempotent at HaiPay (a repeated apply could open a second collection or be
    /// refused as a duplicate), so the HTTP layer never repeats it: the orchestration's durable retry policy does, and
    /// the apply activity never re-applies an order that is past Pending. Query is a read and is retried here on
    /// transient HTTP outcomes (connection failures, 5xx, 408, 429), twice, quickly. The HaiPay client bounds each
    /// call, retries included, by <c>HaiPay:AttemptTimeout</c>, so these retries only absorb fast failures (a refused
    /// connection, a quick 5xx); the durable query loop covers longer outages. An open circuit surfaces as a
    /// transient HaiPay failure, which the orchestration retries later.
    /// </summary>
    internal static void ConfigureHaiPayResilience(HttpStandardResilienceOptions resilience, HaiPayOptions haiPay)
    {
        var attempt = haiPay.AttemptTimeout > TimeSpan.Zero ? haiPay.AttemptTimeout : TimeSpan.FromSeconds(10);
        resilience.AttemptTimeout.Timeout = attempt;
        resilience.Retry.MaxRetryAttempts = 2;
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            IsQuery(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        resilience.TotalRequestTimeout.Timeout = attempt * 3 + TimeSpan.FromSeconds(1);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, attempt.Ticks * 2));
    }

    private static bool IsQuery(HttpRequestMessage? request) =>
        request?.RequestUri?.AbsolutePath.EndsWith("/collect/query", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// <c>OrderStorage</c> as a connection string (Azurite, local), or <c>OrderStorage:tableServiceUri</c> with the
    /// managed identity (Azure), the same shapes the Functions runtime accepts for its own connections.
    /// </summary>
    private static TableServiceClient CreateTableServiceClient(
        IConfigurationSection section, TableClientOptions tableOptions, Azure.Core.TokenCredential credential)
    {
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new TableServiceClient(section.Value, tableOptions);
        }
        var serviceUri = section["tableServiceUri"];
        if (!string.IsNullOrWhiteSpace(serviceUri))
        {
            return new TableServiceClient(new Uri(serviceUri), credential, tableOptions);
        }
        throw new InvalidOperationException(
            $"Set {OrderStorageSetting} to a storage connection string, or {OrderStorageSetting}:tableServiceUri to the table endpoint (managed identity).");
    }
}
