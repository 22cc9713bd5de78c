using Collect.Core.Operations;
using Collect.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Operations;

/// <summary><see cref="ServiceHealth"/> against a real Azurite, with the keys from configuration.</summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class ServiceHealthTests(CollectEnvironment environment)
{
    /// <summary>Nothing listens on the discard port: every table request fails to connect.</summary>
    private const string UnreachableStorage =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    [Fact]
    public async Task Healthy_when_the_orders_table_answers_and_every_configured_currency_has_its_keys()
    {
        using var services = environment.CreateProduct();
        var health = services.GetRequiredService<ServiceHealth>();

        var exchange = await HttpExchange.ExecuteAsync(await health.GetAsync(CancellationToken.None), services);

        Assert.Equal(200, exchange.Status);
        Assert.Equal("no-store", exchange.Headers.CacheControl.ToString());
        Assert.Equal("Healthy", exchange.Json.GetProperty("status").GetString());
        Assert.Equal(
            [("keys.HKD", "Healthy"), ("keys.USD", "Healthy"), ("storage", "Healthy")],
            exchange.Json.GetProperty("checks").EnumerateObject().Select(c => (c.Name, c.Value.GetString())));
    }

    [Fact]
    public async Task Unreachable_storage_answers_503_naming_the_check_and_nothing_about_the_account()
    {
        using var services = environment.CreateProduct(new Dictionary<string, string?> { ["OrderStorage"] = UnreachableStorage });
        var health = services.GetRequiredService<ServiceHealth>();

        var exchange = await HttpExchange.ExecuteAsync(await health.GetAsync(CancellationToken.None), services);

        Assert.Equal(503, exchange.Status);
        Assert.Equal("Unhealthy", exchange.Json.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", exchange.Json.GetProperty("checks").GetProperty("storage").GetString());
        Assert.Equal("Healthy", exchange.Json.GetProperty("checks").GetProperty("keys.HKD").GetString());
        Assert.DoesNotContain("127.0.0.1", exchange.Body);
        Assert.DoesNotContain("devstoreaccount1", exchange.Body);
    }

    [Fact]
    public async Task A_currency_whose_keys_cannot_be_loaded_is_unhealthy_and_the_secret_it_has_is_never_shown()
    {
        using var services = environment.CreateProduct(new Dictionary<string, string?> { ["HaiPay:Credentials:USD:MerchantPrivateKey"] = "" });
        var health = services.GetRequiredService<ServiceHealth>();

        var exchange = await HttpExchange.ExecuteAsync(await health.GetAsync(CancellationToken.None), services);

        Assert.Equal(503, exchange.Status);
        Assert.Equal("Unhealthy", exchange.Json.GetProperty("checks").GetProperty("keys.USD").GetString());
        Assert.Equal("Healthy", exchange.Json.GetProperty("checks").GetProperty("keys.HKD").GetString());
        Assert.Equal("Healthy", exchange.Json.GetProperty("checks").GetProperty("storage").GetString());
        var configuration = environment.Sandbox.ToProductConfiguration();
        Assert.DoesNotContain(configuration["HaiPay:Credentials:USD:SecretKey"]!, exchange.Body);
    }

    [Fact]
    public async Task One_result_serves_every_caller_for_fifteen_seconds()
    {
        var time = new ManualTime();
        using var services = environment.CreateProduct(time: time);
        var health = services.GetRequiredService<ServiceHealth>();

        var first = await health.CheckAsync();
        time.Advance(TimeSpan.FromSeconds(14));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => health.CheckAsync()));
        time.Advance(TimeSpan.FromSeconds(2));
        var later = await health.CheckAsync();

        Assert.All(concurrent, report => Assert.Same(first, report));
        Assert.NotSame(first, later);
        Assert.Equal(time.GetUtcNow(), later.CheckedAt);
    }
}
