using System.Security.Cryptography;
using Collect.LocalRunner.Diagnostics;
using HaiPay;
using HaiPay.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner.Tests;

public sealed class MeteredCredentialSourceTests
{
    [Fact]
    public async Task Every_read_is_counted_and_only_new_credentials_count_as_loads()
    {
        using var provider = Services(out _);
        var meter = provider.GetRequiredService<MeteredCredentialSource>();
        var source = provider.GetRequiredService<IHaiPayCredentialSource>();

        var first = await source.GetAsync(Currency.HKD);
        var again = await source.GetAsync(Currency.HKD);
        await source.GetAsync(Currency.USD);

        Assert.Same(meter, source);
        Assert.Same(first, again);
        Assert.Equal(3, meter.Gets);
        Assert.Equal(2, meter.Loads);
        Assert.Equal(0, meter.Refreshes);
        Assert.Null(meter.KeyVaultSecretReads);
    }

    [Fact]
    public async Task A_refresh_that_reloads_counts_as_a_refresh_and_a_load()
    {
        using var provider = Services(out _);
        var meter = provider.GetRequiredService<MeteredCredentialSource>();
        await meter.GetAsync(Currency.HKD);

        var refreshed = await meter.RefreshAsync(Currency.HKD);
        var afterwards = await meter.GetAsync(Currency.HKD);

        Assert.Same(refreshed, afterwards);
        Assert.Equal(1, meter.Refreshes);
        Assert.Equal(2, meter.Loads);
        Assert.Equal(2, meter.Gets);
    }

    [Fact]
    public async Task It_wraps_the_credential_source_the_application_registered()
    {
        using var provider = Services(out var configured);

        var credentials = await provider.GetRequiredService<IHaiPayCredentialSource>().GetAsync(Currency.HKD);

        Assert.Equal(configured.Credentials["HKD"].AppId, credentials.AppId);
    }

    [Fact]
    public void Without_a_registered_source_it_says_what_to_call_first() =>
        Assert.Contains("AddCollectCore", Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddCredentialSourceMeter()).Message);

    /// <summary>The HaiPay client registration (keys from configuration, as locally), then the meter around it.</summary>
    private static ServiceProvider Services(out HaiPayOptions options)
    {
        using var merchant = RSA.Create(2048);
        using var platform = RSA.Create(2048);
        var settings = new Dictionary<string, string?>
        {
            ["HaiPay:BaseUrl"] = "http://127.0.0.1:5180/",
            ["HaiPay:PlatformPublicKey"] = Convert.ToBase64String(platform.ExportSubjectPublicKeyInfo()),
        };
        foreach (var (currency, appId) in new[] { ("HKD", "1001"), ("USD", "1002") })
        {
            settings[$"HaiPay:Credentials:{currency}:AppId"] = appId;
            settings[$"HaiPay:Credentials:{currency}:SecretKey"] = $"{currency}-secret";
            settings[$"HaiPay:Credentials:{currency}:MerchantPrivateKey"] = Convert.ToBase64String(merchant.ExportPkcs8PrivateKey());
        }
        var services = new ServiceCollection();
        services.AddHaiPayClient(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddCredentialSourceMeter();
        var provider = services.BuildServiceProvider();
        options = provider.GetRequiredService<IOptions<HaiPayOptions>>().Value;
        return provider;
    }
}
