using System.Text.Json;
using System.Text.Json.Serialization;
using HaiPay.Catalogue;
using HaiPay.Sandbox.Apply;
using HaiPay.Sandbox.Callbacks;
using HaiPay.Sandbox.Checkout;
using HaiPay.Sandbox.Control;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Keys;
using HaiPay.Sandbox.Orders;
using HaiPay.Sandbox.Query;
using HaiPay.Sandbox.Wire;
using HaiPay.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox;

/// <summary>Builds the sandbox web application; <c>Program.cs</c> and <see cref="SandboxApp"/> both use it.</summary>
public static class SandboxHost
{
    /// <summary>The address used when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5180";

    /// <summary>
    /// Creates the application from command-line arguments and configuration (section <c>Sandbox</c>;
    /// <c>--write-settings &lt;path&gt;</c> is a shortcut for <c>Sandbox:WriteSettingsTo</c>). Only loopback addresses
    /// are accepted.
    /// </summary>
    public static WebApplication Build(string[] args, Action<SandboxOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(SandboxHost).Assembly.GetName().Name });
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        else
        {
            RequireLoopback(urls);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOptions<SandboxOptions>()
            .Bind(builder.Configuration.GetSection(SandboxOptions.SectionName))
            .PostConfigure(options =>
            {
                if (builder.Configuration["write-settings"] is { Length: > 0 } path)
                {
                    options.WriteSettingsTo = path;
                }
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        AddSandbox(builder.Services);

        var app = builder.Build();
        // Keys are made (or loaded and checked) now, not on the first request.
        app.Services.GetRequiredService<SandboxKeys>();
        MapSandbox(app);
        return app;
    }

    private static void AddSandbox(IServiceCollection services)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp => new SandboxKeys(Options(sp)));
        services.AddSingleton<Storefront.StorefrontReceiver>();
        services.AddSingleton(sp => new SandboxMerchantSettings(
            sp.GetRequiredService<SandboxKeys>(), Options(sp), sp.GetRequiredService<SandboxAddress>().BaseUrl,
            sp.GetRequiredService<Storefront.StorefrontReceiver>().Secret));
        services.AddSingleton(sp => ProductOptions(Options(sp)));
        services.AddSingleton(sp => PaymentMethodCatalogue.FromOptions(sp.GetRequiredService<HaiPayOptions>()));
        services.AddSingleton(sp => new Catalogue.SandboxMethods(sp.GetRequiredService<PaymentMethodCatalogue>()));
        services.AddSingleton(sp => new ApplyRequestValidator(
            sp.GetRequiredService<PaymentMethodCatalogue>(), sp.GetRequiredService<HaiPayOptions>()));

        services.AddSingleton<SandboxState>();
        services.AddSingleton<SandboxAddress>();
        services.AddSingleton<SandboxScheduler>();
        services.AddSingleton<HaiPayEnvelope>();
        services.AddSingleton<MerchantRequestCheck>();
        services.AddSingleton<FaultInjection>();
        services.AddSingleton<MerchantRequestReader>();
        services.AddSingleton<CallbackDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackDispatcher>());
        services.AddSingleton(sp => new OrderLifecycle(
            sp.GetRequiredService<SandboxState>(), sp.GetRequiredService<SandboxScheduler>(), sp.GetRequiredService<CallbackDispatcher>(),
            sp.GetRequiredService<IOptions<SandboxOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ApplyEndpoint>();
        services.AddSingleton<QueryEndpoint>();
        services.AddSingleton<CheckoutEndpoints>();
        services.AddSingleton<Catalogue.PaymentConfigEndpoint>();
        services.AddHostedService<MerchantSettingsWriter>();
    }

    private static void MapSandbox(WebApplication app)
    {
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<SandboxState>().Dispose());
        ApplyEndpoint.Map(app);
        QueryEndpoint.Map(app);
        CheckoutEndpoints.Map(app);
        Catalogue.PaymentConfigEndpoint.Map(app);
        ControlEndpoints.Map(app);
        Storefront.StorefrontReceiver.Map(app);
    }

    /// <summary>The product-side options the validator and catalogue need, from the sandbox's own settings.</summary>
    private static HaiPayOptions ProductOptions(SandboxOptions options)
    {
        var product = new HaiPayOptions
        {
            SkipEmptyValues = options.SkipEmptyValues,
            AppendKey = options.AppendKey,
            ProviderUtcOffset = options.ProviderUtcOffset,
            PaymentMethods = options.PaymentMethods,
        };
        if (options.PhonePattern is not null)
        {
            product.PhonePattern = options.PhonePattern;
        }
        return product;
    }

    private static SandboxOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<SandboxOptions>>().Value;

    private static void RequireLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
            host = host.Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
                           (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
            if (!loopback)
            {
                throw new InvalidOperationException(
                    $"The HaiPay sandbox listens on loopback only; '{url}' is not a loopback address (use 127.0.0.1, [::1] or localhost).");
            }
        }
    }
}
