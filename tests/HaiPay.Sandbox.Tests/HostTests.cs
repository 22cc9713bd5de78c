using System.Text.Json;
using HaiPay.Sandbox.Keys;
using HaiPay.Sandbox.Tests.Support;
using HaiPay.Signing;
using Microsoft.Extensions.Configuration;

namespace HaiPay.Sandbox.Tests;

/// <summary>Starting the sandbox the way Program.cs does: addresses, keys and the settings file.</summary>
public sealed class HostTests
{
    [Theory]
    [InlineData("http://0.0.0.0:5180")]
    [InlineData("http://*:5180")]
    [InlineData("http://+:5180")]
    [InlineData("http://127.0.0.1:5180;http://192.168.1.10:5180")]
    public void Non_loopback_addresses_are_refused(string urls)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => SandboxHost.Build(["--urls", urls]));

        Assert.Contains("loopback only", refused.Message);
    }

    [Fact]
    public async Task Write_settings_writes_the_product_configuration_once_listening()
    {
        var path = Path.Combine(Path.GetTempPath(), "haipay-sandbox-" + Guid.NewGuid().ToString("N"), "settings.json");
        await using var app = SandboxHost.Build(["--urls", "http://127.0.0.1:0", "--write-settings", path,
            "--Sandbox:MerchantPrivateKey", TestKeys.MerchantPrivateKey, "--Sandbox:PlatformPrivateKey", TestKeys.PlatformPrivateKey,
            "--Sandbox:Credentials:HKD:AppId", "1001", "--Sandbox:Credentials:HKD:SecretKey", "hkd-test-secret"]);
        await app.StartAsync();
        try
        {
            var json = await Eventually.Until(() => File.Exists(path) ? File.ReadAllText(path) : null, t => t is not null, "the settings file");
            var options = new ConfigurationBuilder().AddJsonFile(path).Build()
                .GetSection(HaiPayOptions.SectionName).Get<HaiPayOptions>()!;
            var address = (SandboxAddress)app.Services.GetService(typeof(SandboxAddress))!;

            Assert.Equal(address.BaseUrl, options.BaseUrl);
            Assert.Equal(1001, options.Credentials["HKD"].AppId);
            Assert.Equal("hkd-test-secret", options.Credentials["HKD"].SecretKey);
            Assert.True(options.Credentials["USD"].AppId > 0);
            Assert.NotEqual(1001, options.Credentials["USD"].AppId);
            Assert.Equal(TestKeys.MerchantPrivateKey, options.Credentials["HKD"].MerchantPrivateKey);
            using var platform = RsaKeys.LoadPrivateKey(TestKeys.PlatformPrivateKey);
            Assert.Equal(RsaKeys.ExportPublicKeyBase64(platform), options.PlatformPublicKey);
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json!).RootElement.GetProperty("HaiPay").GetProperty("Credentials").ValueKind);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Generated_keys_differ_per_sandbox_and_never_appear_in_ToString()
    {
        await using var first = await SandboxApp.StartAsync();
        await using var second = await SandboxApp.StartAsync();
        var keys = (SandboxKeys)first.Services.GetService(typeof(SandboxKeys))!;

        Assert.NotEqual(first.Merchant.PlatformPublicKey, second.Merchant.PlatformPublicKey);
        Assert.NotEqual(first.Merchant.Credentials[Currency.HKD].SecretKey, second.Merchant.Credentials[Currency.HKD].SecretKey);
        Assert.NotEqual(first.Merchant.Credentials[Currency.HKD].AppId, first.Merchant.Credentials[Currency.USD].AppId);
        Assert.DoesNotContain(first.Merchant.Credentials[Currency.HKD].SecretKey, first.Merchant.Credentials[Currency.HKD].ToString());
        Assert.DoesNotContain(first.Merchant.Credentials[Currency.HKD].SecretKey, keys.For(Currency.HKD).ToString());
        Assert.Equal(2048, keys.MerchantPublicKey.KeySize);
        Assert.Equal(2048, keys.PlatformPrivateKey.KeySize);
    }

    [Fact]
    public void A_configured_key_that_is_not_RSA_stops_the_start()
    {
        var refused = Assert.Throws<KeyFormatException>(() =>
            SandboxHost.Build(["--urls", "http://127.0.0.1:0", "--Sandbox:PlatformPrivateKey", "bm90IGEga2V5"]));

        Assert.Contains("Sandbox:PlatformPrivateKey", refused.Message);
        Assert.DoesNotContain("bm90IGEga2V5", refused.Message);
    }

    [Theory]
    [InlineData("--Sandbox:CallbackRetryInterval", "00:00:00", "CallbackRetryInterval")]
    [InlineData("--Sandbox:CallbackRetryCount", "-1", "CallbackRetryCount")]
    [InlineData("--Sandbox:FeePercent", "-0.5", "FeePercent")]
    [InlineData("--Sandbox:ProviderUtcOffset", "15:00:00", "ProviderUtcOffset")]
    [InlineData("--Sandbox:DefaultBehaviour:Callback:Copies", "0", "callback.copies")]
    public void Unusable_settings_stop_the_start_naming_the_setting(string key, string value, string named)
    {
        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            SandboxHost.Build(["--urls", "http://127.0.0.1:0", key, value]));

        Assert.Contains(named, refused.Message);
    }
}
