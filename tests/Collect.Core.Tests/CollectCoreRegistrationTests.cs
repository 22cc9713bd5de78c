using Collect.Core.Callbacks;
using Collect.Core.Collection;
using Collect.Core.Http;
using Collect.Core.Operations;
using Collect.Core.Keys;
using Collect.Core.Storage;
using HaiPay.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Collect.Core.Tests;

public sealed class CollectCoreRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["OrderStorage"] = "UseDevelopmentStorage=true",
            ["Collect:NotifyUrl"] = "https://collect.example.com/api/haipay/notify",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCollectCore(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void Every_part_a_host_needs_resolves()
    {
        using var services = Build([]);

        Assert.NotNull(services.GetRequiredService<OrdersHandler>());
        Assert.NotNull(services.GetRequiredService<NotifyHandler>());
        Assert.NotNull(services.GetRequiredService<ApplyActivity>());
        Assert.NotNull(services.GetRequiredService<QueryActivity>());
        Assert.NotNull(services.GetRequiredService<ExpireActivity>());
        Assert.NotNull(services.GetRequiredService<OrderStore>());
        Assert.NotNull(services.GetRequiredService<SettlementService>());
        Assert.NotNull(services.GetRequiredService<ReconciliationSweep>());
        Assert.NotNull(services.GetRequiredService<IHaiPayClient>());
    }

    [Fact]
    public void Unless_a_host_says_otherwise_the_operations_api_is_disabled()
    {
        // Behind the Functions host every request reaches the worker through the host's local proxy, so "callers on
        // this machine" means nothing there: the safe default is off, and only the local runner opts into Loopback.
        using var services = Build([]);

        Assert.Equal(OpsAccessMode.Disabled, services.GetRequiredService<IOptions<OpsOptions>>().Value.Access);
    }

    [Fact]
    public void Without_a_key_vault_the_keys_come_from_configuration()
    {
        using var services = Build(new() { ["KeyVault:Uri"] = "" });

        Assert.IsType<ConfiguredCredentialSource>(services.GetRequiredService<IHaiPayCredentialSource>());
    }

    [Fact]
    public void With_a_key_vault_the_keys_come_from_key_vault()
    {
        using var services = Build(new() { ["KeyVault:Uri"] = "https://collect-kv.vault.azure.net/" });

        Assert.IsType<KeyVaultCredentialSource>(services.GetRequiredService<IHaiPayCredentialSource>());
    }

    [Fact]
    public void Settings_have_the_documented_defaults()
    {
        using var services = Build([]);

        var options = services.GetRequiredService<IOptions<CollectOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.CreateWait);
        Assert.Equal(
            [TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)],
            options.QueryBackoffSchedule);
        Assert.Equal(TimeSpan.FromMinutes(30), options.Deadline);
        Assert.Equal(("orders", "orderindex"), (options.OrdersTable, options.IndexTable));
        Assert.Equal(TimeSpan.FromMinutes(1), options.NotifyWindow);
        Assert.Equal((5, 50, 60), (options.UnverifiedStoredPerWindow, options.UnverifiedStoredPerOrder, options.UnaddressedStoredPerMinute));
        Assert.False(options.TrustForwardedFor);
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1), 200, 5),
            (options.SweepGrace, options.SweepInterval, options.SweepBatchSize, options.SweepMaxRestarts));
        Assert.Equal(31, options.ExpiredRequerySchedule.Count);
        Assert.Equal([.. Enumerable.Repeat(TimeSpan.FromHours(1), 24), .. Enumerable.Repeat(TimeSpan.FromDays(1), 7)], options.ExpiredRequerySchedule);
        Assert.Equal(TimeSpan.FromMinutes(10), options.KeyCacheTtl);
        Assert.Equal(20, options.ContinueAsNewAfterQueries);
        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromHours(1)), (options.HistoryRetention, options.RetentionInterval));
    }

    [Fact]
    public void History_is_never_kept_shorter_than_an_order_can_still_need_it()
    {
        // Default deadline 30 min + expired re-queries 24 h + 7 days, + a day of storefront delivery retries.
        Assert.Equal(TimeSpan.FromDays(9) + TimeSpan.FromMinutes(30), CollectOptionsValidator.MinimumHistoryRetention(new CollectOptions()));

        using var services = Build(new() { ["Collect:HistoryRetention"] = "9.00:00:00", ["Collect:RetentionInterval"] = "00:00:00" });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CollectOptions>>().Value);

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("Collect:HistoryRetention must be at least 9.00:30:00"));
        Assert.Contains(error.Failures, f => f.Contains("Collect:RetentionInterval"));
        using var accepted = Build(new() { ["Collect:HistoryRetention"] = "9.00:30:00" });
        Assert.Equal(TimeSpan.FromDays(9) + TimeSpan.FromMinutes(30), accepted.GetRequiredService<IOptions<CollectOptions>>().Value.HistoryRetention);
    }

    [Fact]
    public void Customer_data_is_kept_180_days_by_default_and_never_shorter_than_an_order_can_still_change()
    {
        using var defaults = Build([]);
        Assert.Equal(TimeSpan.FromDays(180), defaults.GetRequiredService<IOptions<CollectOptions>>().Value.CustomerDataRetention);

        using var services = Build(new() { ["Collect:CustomerDataRetention"] = "9.00:00:00" });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CollectOptions>>().Value);

        Assert.Contains("Collect:CustomerDataRetention must be at least 9.00:30:00", Assert.Single(error.Failures));
    }

    [Fact]
    public void Invalid_settings_are_refused_with_every_problem_named()
    {
        using var services = Build(new()
        {
            ["Collect:NotifyUrl"] = "not a url",
            ["Collect:QueryBackoff"] = "00:00:15,soon",
            ["Collect:OrdersTable"] = "my-orders",
            ["Collect:ContinueAsNewAfterQueries"] = "0",
            ["Collect:ExpiredRequery"] = "01:00:00*0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CollectOptions>>().Value);

        Assert.Equal(5, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("Collect:ExpiredRequery"));
        Assert.Contains(error.Failures, f => f.Contains("Collect:NotifyUrl"));
        Assert.Contains(error.Failures, f => f.Contains("'soon'"));
        Assert.Contains(error.Failures, f => f.Contains("Collect:OrdersTable"));
        Assert.Contains(error.Failures, f => f.Contains("Collect:ContinueAsNewAfterQueries"));
    }
}

public sealed class SampleSettingsTests
{
    [Fact]
    public void Every_collect_setting_in_the_sample_local_settings_is_a_real_setting()
    {
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestSupport.RepositoryRoot.Combine("local.settings.sample.json")));
        var properties = typeof(CollectOptions).GetProperties().Select(p => p.Name).ToHashSet();

        var collect = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Where(v => v.Name.StartsWith("Collect__", StringComparison.Ordinal))
            .Select(v => v.Name["Collect__".Length..])
            .ToList();

        Assert.NotEmpty(collect);
        Assert.All(collect, name => Assert.Contains(name, properties));
    }
}
