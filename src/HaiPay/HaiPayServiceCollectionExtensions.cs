using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HaiPay;

public static class HaiPayServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HaiPayOptions"/> (section "HaiPay"), the catalogue, the validator, and the typed
    /// <see cref="IHaiPayClient"/>. Returns the HTTP client builder so the host can add resilience handlers.
    /// A credential source must be registered too; <see cref="ConfiguredCredentialSource"/> is added when none is.
    /// </summary>
    public static IHttpClientBuilder AddHaiPayClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HaiPayOptions>().Bind(configuration.GetSection(HaiPayOptions.SectionName));
        services.TryAddSingleton(sp => PaymentMethodCatalogue.FromOptions(sp.GetRequiredService<IOptions<HaiPayOptions>>().Value));
        services.TryAddSingleton(sp => new ApplyRequestValidator(
            sp.GetRequiredService<PaymentMethodCatalogue>(), sp.GetRequiredService<IOptions<HaiPayOptions>>().Value));
        services.TryAddSingleton<IHaiPayCredentialSource, ConfiguredCredentialSource>();
        return services.AddHttpClient<IHaiPayClient, HaiPayClient>((sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredService<IOptions<HaiPayOptions>>().Value.BaseUrl;
        });
    }
}
