using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Collect.Core.Catalogue;
using Collect.Core.Operations;
using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Catalogue;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Catalogue;

/// <summary>
/// The live catalogue against the real sandbox: its signed <c>/common/payment/config</c> answer, a method going into
/// maintenance and changing its limits through the control API, and what creates and the ops route then see.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class LiveCatalogueSandboxTests(CollectEnvironment environment) : IAsyncLifetime
{
    private readonly HttpClient _control = new() { BaseAddress = environment.Sandbox.BaseUrl };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // The sandbox is shared by the collection: put the method back as the seed has it.
        await ChangeAsync("ALIPAY_HKD", """{"state":"available","min":"1.00","max":"5000.00"}""");
        _control.Dispose();
    }

    [Fact]
    public async Task Creates_follow_a_method_into_maintenance_and_out_of_it_with_new_limits()
    {
        using var product = environment.CreateProduct();
        var catalogue = product.GetRequiredService<LiveCatalogue>();
        var validator = product.GetRequiredService<CreateOrderValidator>();

        await catalogue.RefreshAsync();
        Assert.All(catalogue.Describe().Currencies, c => Assert.Equal(("live", null), (c.Source, c.LastProblem)));
        Assert.Equal(PaymentMethodState.Maintenance, catalogue.Current.Find(Currency.USD, "PAYME_USD")!.State);
        Assert.Empty(validator.Validate(TestOrders.CreateRequest()));

        await ChangeAsync("ALIPAY_HKD", """{"state":"maintenance"}""");
        Assert.Empty(validator.Validate(TestOrders.CreateRequest()));
        await catalogue.RefreshAsync();

        var refused = validator.Validate(TestOrders.CreateRequest());
        Assert.Equal(["ALIPAY_HKD is under maintenance"], refused["inBankCode"]);

        await ChangeAsync("ALIPAY_HKD", """{"state":"available","max":"150.00"}""");
        await catalogue.RefreshAsync();

        Assert.Empty(validator.Validate(TestOrders.CreateRequest(amount: "150.00")));
        Assert.Equal(["amount 150.01 is above the ALIPAY_HKD limit 150.00"], validator.Validate(TestOrders.CreateRequest(amount: "150.01"))["amount"]);
    }

    [Fact]
    public async Task The_ops_route_shows_the_catalogue_in_force_and_its_source_to_readers_only()
    {
        using var product = environment.CreateProduct();
        await product.GetRequiredService<LiveCatalogue>().RefreshAsync();
        var ops = product.GetRequiredService<OpsHandler>();

        var shown = await HttpExchange.ExecuteAsync(ops.Catalogue(Request(product, IPAddress.Loopback)), product);
        var denied = await HttpExchange.ExecuteAsync(ops.Catalogue(Request(product, IPAddress.Parse("203.0.113.7"))), product);

        Assert.Equal(200, shown.Status);
        using var json = JsonDocument.Parse(shown.Body);
        var usd = json.RootElement.GetProperty("currencies").EnumerateArray().Single(c => c.GetProperty("currency").GetString() == "USD");
        Assert.Equal("live", usd.GetProperty("source").GetString());
        var payMe = usd.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("inBankCode").GetString() == "PAYME_USD");
        Assert.Equal(("Maintenance", "1000.00"), (payMe.GetProperty("state").GetString(), payMe.GetProperty("max").GetString()));
        Assert.Equal(404, denied.Status);
    }

    private async Task ChangeAsync(string inBankCode, string body)
    {
        using var response = await _control.PutAsync($"_sandbox/methods/hkd/{inBankCode}",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequest Request(IServiceProvider services, IPAddress remote)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "GET";
        context.Connection.RemoteIpAddress = remote;
        return context.Request;
    }
}
