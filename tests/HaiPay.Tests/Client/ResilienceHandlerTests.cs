using HaiPay.Client;
using HaiPay.Signing;
using HaiPay.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace HaiPay.Tests.Client;

/// <summary>The client behind the resilience handlers the hosts add: Polly's rejections are classified, not leaked.</summary>
public class ResilienceHandlerTests
{
    private static IConfiguration Configuration(Uri baseUrl) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["HaiPay:BaseUrl"] = baseUrl.ToString(),
        ["HaiPay:AttemptTimeout"] = "00:01:00",
        ["HaiPay:Credentials:HKD:AppId"] = "1001",
        ["HaiPay:Credentials:HKD:SecretKey"] = "k",
        ["HaiPay:Credentials:HKD:MerchantPrivateKey"] = RsaKeys.ExportPrivateKeyBase64(TestKeys.Merchant),
        ["HaiPay:PlatformPublicKey"] = RsaKeys.ExportPublicKeyBase64(TestKeys.Platform),
    }).Build();

    [Fact]
    public async Task A_polly_attempt_timeout_is_a_transient_timeout()
    {
        await using var server = await FakeHaiPay.StartAsync(async (_, aborted) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
            return new CannedResponse(200, "{}");
        });
        var services = new ServiceCollection().AddLogging();
        services.AddHaiPayClient(Configuration(server.BaseUrl))
            .AddResilienceHandler("test", pipeline => pipeline.AddTimeout(TimeSpan.FromMilliseconds(200)));
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            provider.GetRequiredService<IHaiPayClient>().QueryAsync(Currency.HKD, "ORD-1"));

        Assert.Equal(TransientReason.Timeout, ex.Reason);
        Assert.Equal("TimeoutRejectedException", ex.InnerException?.GetType().Name);
    }

    [Fact]
    public async Task An_open_circuit_is_a_transient_connection_error()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => new CannedResponse(200, "{}"));
        var manual = new CircuitBreakerManualControl();
        var services = new ServiceCollection().AddLogging();
        services.AddHaiPayClient(Configuration(server.BaseUrl))
            .AddResilienceHandler("test", pipeline => pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { ManualControl = manual }));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHaiPayClient>();
        await manual.IsolateAsync();

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() => client.QueryAsync(Currency.HKD, "ORD-1"));

        Assert.Equal(TransientReason.ConnectionError, ex.Reason);
        Assert.IsAssignableFrom<BrokenCircuitException>(ex.InnerException);
        Assert.Empty(server.Requests);
    }
}
