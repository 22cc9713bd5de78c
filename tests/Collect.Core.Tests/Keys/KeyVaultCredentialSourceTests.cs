using System.Security.Cryptography;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Collect.Core.Keys;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace Collect.Core.Tests.Keys;

public sealed class KeyVaultCredentialSourceTests
{
    private static readonly string MerchantKey = RsaKeys.ExportPrivateKeyBase64(RSA.Create(2048));
    private static readonly string PlatformKey = RsaKeys.ExportPublicKeyBase64(RSA.Create(2048));

    private readonly Mock<SecretClient> _vault = new(MockBehavior.Strict);
    private readonly Dictionary<string, string> _secrets = new()
    {
        ["haipay-hkd-secret-key"] = "hkd-secret-v1",
        ["haipay-hkd-merchant-private-key"] = MerchantKey,
        ["haipay-usd-secret-key"] = "usd-secret-v1",
        ["haipay-usd-merchant-private-key"] = MerchantKey,
        ["haipay-platform-public-key"] = PlatformKey,
    };
    private readonly ManualTime _time = new();

    public KeyVaultCredentialSourceTests()
    {
        _vault.Setup(v => v.GetSecretAsync(It.IsAny<string>(), null, null, It.IsAny<CancellationToken>()))
            .Returns((string name, string? _, SecretContentType? _, CancellationToken _) => Task.FromResult(Read(name)));
    }

    private Response<KeyVaultSecret> Read(string name)
    {
        lock (_secrets)
        {
            if (!_secrets.TryGetValue(name, out var value))
            {
                throw new RequestFailedException(404, $"Secret {name} not found.", "SecretNotFound", null);
            }
            return Response.FromValue(new KeyVaultSecret(name, value), Mock.Of<Response>());
        }
    }

    private KeyVaultCredentialSource CreateSource(string? configuredPlatformKey = null)
    {
        var monitor = new ServiceCollection()
            .Configure<HaiPayOptions>(haiPay =>
            {
                haiPay.PlatformPublicKey = configuredPlatformKey;
                haiPay.Credentials["HKD"] = new HaiPayCurrencyOptions { AppId = 1001 };
                haiPay.Credentials["USD"] = new HaiPayCurrencyOptions { AppId = 2002 };
            })
            .BuildServiceProvider()
            .GetRequiredService<IOptionsMonitor<HaiPayOptions>>();
        var collect = Options.Create(new CollectOptions
        {
            KeyCacheTtl = TimeSpan.FromMinutes(10),
            KeyRefreshMinInterval = TimeSpan.FromSeconds(30),
        });
        return new KeyVaultCredentialSource(_vault.Object, monitor, collect, _time, TestMetrics.Create(), NullLogger<KeyVaultCredentialSource>.Instance);
    }

    private int VaultReads(string name) =>
        _vault.Invocations.Count(i => i.Method.Name == nameof(SecretClient.GetSecretAsync) && (string)i.Arguments[0] == name);

    [Fact]
    public async Task Loads_a_currencys_secrets_and_appid()
    {
        var source = CreateSource();

        var hkd = await source.GetAsync(Currency.HKD);

        Assert.Equal(1001, hkd.AppId);
        Assert.Equal("hkd-secret-v1", hkd.SecretKey);
        Assert.Equal(PlatformKey, RsaKeys.ExportPublicKeyBase64(hkd.PlatformPublicKey));
        Assert.Equal(3, source.SecretReads);
    }

    [Fact]
    public async Task A_warm_cache_makes_no_key_vault_call()
    {
        var source = CreateSource();
        await source.GetAsync(Currency.HKD);
        _vault.Invocations.Clear();

        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await source.GetAsync(Currency.HKD);
        }

        Assert.Empty(_vault.Invocations);
        Assert.Equal(3, source.SecretReads);
    }

    [Fact]
    public async Task Currencies_are_cached_separately()
    {
        var source = CreateSource();

        var hkd = await source.GetAsync(Currency.HKD);
        var usd = await source.GetAsync(Currency.USD);

        Assert.Equal(("hkd-secret-v1", 1001L), (hkd.SecretKey, hkd.AppId));
        Assert.Equal(("usd-secret-v1", 2002L), (usd.SecretKey, usd.AppId));
        Assert.Equal(1, VaultReads("haipay-usd-secret-key"));
    }

    [Fact]
    public async Task The_cache_expires_after_the_ttl()
    {
        var source = CreateSource();
        await source.GetAsync(Currency.HKD);
        lock (_secrets)
        {
            _secrets["haipay-hkd-secret-key"] = "hkd-secret-v2";
        }

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("hkd-secret-v1", (await source.GetAsync(Currency.HKD)).SecretKey);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("hkd-secret-v2", (await source.GetAsync(Currency.HKD)).SecretKey);
        Assert.Equal(2, VaultReads("haipay-hkd-secret-key"));
    }

    [Fact]
    public async Task Refresh_after_a_rotation_picks_up_the_new_secret_version()
    {
        var source = CreateSource();
        await source.GetAsync(Currency.HKD);
        lock (_secrets)
        {
            _secrets["haipay-hkd-secret-key"] = "hkd-secret-v2";
        }
        _time.Advance(TimeSpan.FromMinutes(1));

        var refreshed = await source.RefreshAsync(Currency.HKD);

        Assert.Equal("hkd-secret-v2", refreshed.SecretKey);
        Assert.Equal("hkd-secret-v2", (await source.GetAsync(Currency.HKD)).SecretKey);
        Assert.Equal(2, VaultReads("haipay-hkd-secret-key"));
    }

    [Fact]
    public async Task Refresh_reloads_at_most_once_per_interval()
    {
        var source = CreateSource();
        await source.GetAsync(Currency.HKD);
        _time.Advance(TimeSpan.FromMinutes(1));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.RefreshAsync(Currency.HKD).AsTask()));
        _time.Advance(TimeSpan.FromSeconds(29));
        await source.RefreshAsync(Currency.HKD);
        Assert.Equal(2, VaultReads("haipay-hkd-secret-key"));

        _time.Advance(TimeSpan.FromSeconds(1));
        await source.RefreshAsync(Currency.HKD);
        Assert.Equal(3, VaultReads("haipay-hkd-secret-key"));
    }

    [Fact]
    public async Task Concurrent_callers_of_a_cold_cache_share_one_load()
    {
        var gate = new TaskCompletionSource();
        _vault.Setup(v => v.GetSecretAsync(It.IsAny<string>(), null, null, It.IsAny<CancellationToken>()))
            .Returns(async (string name, string? _, SecretContentType? _, CancellationToken _) =>
            {
                await gate.Task;
                return Read(name);
            });
        var source = CreateSource();

        var callers = Enumerable.Range(0, 16).Select(_ => source.GetAsync(Currency.HKD).AsTask()).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(3, source.SecretReads);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task Without_a_platform_key_secret_the_configured_key_is_used()
    {
        lock (_secrets)
        {
            _secrets.Remove("haipay-platform-public-key");
        }
        var source = CreateSource(configuredPlatformKey: PlatformKey);

        var hkd = await source.GetAsync(Currency.HKD);

        Assert.Equal(PlatformKey, RsaKeys.ExportPublicKeyBase64(hkd.PlatformPublicKey));
    }

    [Fact]
    public async Task A_missing_secret_is_named_without_any_value()
    {
        lock (_secrets)
        {
            _secrets.Remove("haipay-usd-merchant-private-key");
        }
        var source = CreateSource();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetAsync(Currency.USD).AsTask());

        Assert.Contains("haipay-usd-merchant-private-key", error.Message);
        Assert.DoesNotContain("usd-secret-v1", error.Message);
    }

    [Fact]
    public async Task Credentials_never_print_key_material()
    {
        var hkd = await CreateSource().GetAsync(Currency.HKD);

        Assert.DoesNotContain("hkd-secret-v1", hkd.ToString());
    }
}
