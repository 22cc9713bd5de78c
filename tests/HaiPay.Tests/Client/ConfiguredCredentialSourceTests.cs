using System.Security.Cryptography;
using System.Text;
using HaiPay.Client;
using HaiPay.Signing;
using HaiPay.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HaiPay.Tests.Client;

public class ConfiguredCredentialSourceTests
{
    private const string SecretKey = "hkd-secret-value";
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("a=1&key=k");

    private static Dictionary<string, string?> Settings() => new()
    {
        ["HaiPay:Credentials:HKD:AppId"] = "1001",
        ["HaiPay:Credentials:HKD:SecretKey"] = SecretKey,
        ["HaiPay:Credentials:HKD:MerchantPrivateKey"] = RsaKeys.ExportPrivateKeyBase64(TestKeys.Merchant),
        ["HaiPay:Credentials:USD:AppId"] = "2002",
        ["HaiPay:Credentials:USD:SecretKey"] = "usd-secret-value",
        ["HaiPay:Credentials:USD:MerchantPrivateKey"] = TestKeys.Merchant.ExportRSAPrivateKeyPem(),
        ["HaiPay:Credentials:USD:PlatformPublicKey"] = TestKeys.Stranger.ExportSubjectPublicKeyInfoPem(),
        ["HaiPay:PlatformPublicKey"] = RsaKeys.ExportPublicKeyBase64(TestKeys.Platform),
    };

    private static (IConfigurationRoot Configuration, ServiceProvider Provider, ConfiguredCredentialSource Source) Create(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<HaiPayOptions>().Bind(configuration.GetSection(HaiPayOptions.SectionName));
        var provider = services.BuildServiceProvider();
        return (configuration, provider, new ConfiguredCredentialSource(provider.GetRequiredService<IOptionsMonitor<HaiPayOptions>>()));
    }

    private static bool Verifies(RSA publicKey, RSA signer) =>
        publicKey.VerifyData(Data, signer.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Fact]
    public async Task Builds_credentials_falling_back_to_the_shared_platform_key()
    {
        var (_, provider, source) = Create(Settings());
        using var _ = provider;

        var hkd = await source.GetAsync(Currency.HKD);

        Assert.Equal(1001L, hkd.AppId);
        Assert.Equal(SecretKey, hkd.SecretKey);
        Assert.True(Verifies(TestKeys.Merchant, hkd.MerchantPrivateKey));
        Assert.True(Verifies(hkd.PlatformPublicKey, TestKeys.Platform));
        Assert.DoesNotContain(SecretKey, hkd.ToString());
    }

    [Fact]
    public async Task A_currency_platform_key_wins_over_the_shared_one()
    {
        var (_, provider, source) = Create(Settings());
        using var _ = provider;

        var usd = await source.GetAsync(Currency.USD);

        Assert.Equal(2002L, usd.AppId);
        Assert.True(Verifies(usd.PlatformPublicKey, TestKeys.Stranger));
        Assert.False(Verifies(usd.PlatformPublicKey, TestKeys.Platform));
    }

    [Fact]
    public async Task Caches_per_currency_until_refreshed()
    {
        var (_, provider, source) = Create(Settings());
        using var _ = provider;

        var first = await source.GetAsync(Currency.HKD);
        Assert.Same(first, await source.GetAsync(Currency.HKD));
        Assert.NotSame(first, await source.GetAsync(Currency.USD));

        var refreshed = await source.RefreshAsync(Currency.HKD);

        Assert.NotSame(first, refreshed);
        Assert.Same(refreshed, await source.GetAsync(Currency.HKD));
    }

    [Fact]
    public async Task Rebuilds_when_the_configuration_changes()
    {
        var (configuration, provider, source) = Create(Settings());
        using var _ = provider;
        var before = await source.GetAsync(Currency.HKD);

        configuration["HaiPay:Credentials:HKD:AppId"] = "3003";
        configuration["HaiPay:PlatformPublicKey"] = RsaKeys.ExportPublicKeyBase64(TestKeys.Stranger);
        configuration.Reload();
        var after = await source.GetAsync(Currency.HKD);

        Assert.Equal(1001L, before.AppId);
        Assert.Equal(3003L, after.AppId);
        Assert.True(Verifies(after.PlatformPublicKey, TestKeys.Stranger));
    }

    [Theory]
    [InlineData("HaiPay:Credentials:HKD:AppId", "HaiPay:Credentials:HKD:AppId is not set")]
    [InlineData("HaiPay:Credentials:HKD:SecretKey", "HaiPay:Credentials:HKD:SecretKey is not set")]
    [InlineData("HaiPay:Credentials:HKD:MerchantPrivateKey", "HaiPay:Credentials:HKD:MerchantPrivateKey is not set")]
    [InlineData("HaiPay:PlatformPublicKey", "Neither HaiPay:Credentials:HKD:PlatformPublicKey nor HaiPay:PlatformPublicKey is set")]
    public async Task A_missing_setting_is_named_and_no_value_is_shown(string missing, string expected)
    {
        var settings = Settings();
        settings.Remove(missing);
        var (_, provider, source) = Create(settings);
        using var _ = provider;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Currency.HKD).AsTask());

        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain(SecretKey, ex.Message);
        Assert.DoesNotContain(settings["HaiPay:Credentials:USD:MerchantPrivateKey"]![40..60], ex.Message);
    }

    [Fact]
    public async Task A_missing_currency_section_is_named()
    {
        var settings = Settings().Where(s => !s.Key.Contains(":HKD:")).ToDictionary();
        var (_, provider, source) = Create(settings);
        using var _ = provider;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Currency.HKD).AsTask());

        Assert.StartsWith("HaiPay:Credentials:HKD is not configured", ex.Message);
    }

    [Theory]
    [InlineData("HaiPay:Credentials:HKD:MerchantPrivateKey")]
    [InlineData("HaiPay:PlatformPublicKey")]
    public async Task A_malformed_key_is_named_without_key_material(string setting)
    {
        var settings = Settings();
        var garbage = "MIIB" + new string('Q', 60) + "ZZZZ";
        settings[setting] = garbage;
        var (_, provider, source) = Create(settings);
        using var _ = provider;

        var ex = await Assert.ThrowsAsync<KeyFormatException>(() => source.GetAsync(Currency.HKD).AsTask());

        Assert.Contains(setting, ex.Message);
        Assert.DoesNotContain("QQQQQQQQ", ex.ToString());
    }
}
