using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HaiPay.Client;
using HaiPay.Sandbox.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace HaiPay.Sandbox.Tests;

/// <summary>The JSON control API under /_sandbox/, as a test or a demo script drives it over HTTP.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private SandboxHarness _h = null!;

    public async Task InitializeAsync() => _h = await SandboxHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Health_answers_ok()
    {
        var health = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Merchant_settings_bind_to_the_products_HaiPay_options()
    {
        var json = await _h.Http.GetStringAsync("_sandbox/merchant-settings");
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = configuration.GetSection(HaiPayOptions.SectionName).Get<HaiPayOptions>()!;

        Assert.Equal(_h.Sandbox.BaseUrl, options.BaseUrl);
        Assert.Equal(_h.Sandbox.Merchant.PlatformPublicKey, options.PlatformPublicKey);
        Assert.Equal(_h.AppId(Currency.HKD), options.Credentials["HKD"].AppId);
        Assert.Equal(_h.AppId(Currency.USD), options.Credentials["USD"].AppId);
        Assert.NotEqual(options.Credentials["HKD"].SecretKey, options.Credentials["USD"].SecretKey);
        Assert.Equal(TestKeys.MerchantPrivateKey, options.Credentials["USD"].MerchantPrivateKey);
        Assert.Equal(TimeSpan.FromHours(8), options.ProviderUtcOffset);
        Assert.Equal(_h.Sandbox.ToProductConfiguration().OrderBy(kv => kv.Key),
            configuration.AsEnumerable().Where(kv => kv.Value is not null).OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task Orders_can_be_paid_failed_partially_paid_and_overpaid_through_the_API()
    {
        var ids = new[] { Requests.Apply(), Requests.Apply(), Requests.Apply(amount: "10.00"), Requests.Apply(amount: "10.00") };
        foreach (var request in ids)
        {
            await _h.Client.ApplyAsync(Currency.HKD, request);
        }

        var paid = await PostJson($"_sandbox/orders/{ids[0].OrderId}/pay", null);
        var failed = await PostJson($"_sandbox/orders/{ids[1].OrderId}/fail", new { errorMsg = "Declined" });
        var partial = await PostJson($"_sandbox/orders/{ids[2].OrderId}/partial", new { amount = "2.50" });
        var over = await PostJson($"_sandbox/orders/{ids[3].OrderId}/over", null);

        Assert.Equal((2, "100.00", "1.50"), (paid.GetProperty("status").GetInt32(), paid.GetProperty("collectedAmount").GetString(), paid.GetProperty("fee").GetString()));
        Assert.Equal((3, "Declined"), (failed.GetProperty("status").GetInt32(), failed.GetProperty("errorMsg").GetString()));
        Assert.Equal((4, "2.50"), (partial.GetProperty("status").GetInt32(), partial.GetProperty("collectedAmount").GetString()));
        Assert.Equal((5, "11.00"), (over.GetProperty("status").GetInt32(), over.GetProperty("collectedAmount").GetString()));
        Assert.Equal(CollectionStatus.PartialCollection, (await _h.Client.QueryAsync(Currency.HKD, ids[2].OrderId)).Status);
    }

    [Fact]
    public async Task A_final_order_cannot_be_settled_again()
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);
        await PostJson($"_sandbox/orders/{request.OrderId}/pay", null);

        using var again = await _h.Http.PostAsync($"_sandbox/orders/{request.OrderId}/fail", null);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        Assert.Equal(CollectionStatus.Success, _h.State.FindOrder(request.OrderId)!.Status);
    }

    [Theory]
    [InlineData("partial", "{\"amount\":\"100.00\"}", HttpStatusCode.BadRequest)]
    [InlineData("partial", "{\"amount\":\"1.234\"}", HttpStatusCode.BadRequest)]
    [InlineData("over", "{\"amount\":\"99.99\"}", HttpStatusCode.BadRequest)]
    [InlineData("refund", "", HttpStatusCode.NotFound)]
    [InlineData("confirm", "", HttpStatusCode.Conflict)]
    [InlineData("resend-callback", "", HttpStatusCode.Conflict)]
    public async Task Impossible_actions_get_problem_details_and_change_nothing(string action, string body, HttpStatusCode expected)
    {
        var request = Requests.Apply();
        await _h.Client.ApplyAsync(Currency.HKD, request);

        using var response = await _h.Http.PostAsync($"_sandbox/orders/{request.OrderId}/{action}",
            body.Length == 0 ? null : new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(CollectionStatus.NotStarted, _h.State.FindOrder(request.OrderId)!.Status);
    }

    [Fact]
    public async Task Resending_needs_a_notify_url()
    {
        var request = Requests.Apply(notifyUrl: null);
        await _h.Client.ApplyAsync(Currency.HKD, request);
        await PostJson($"_sandbox/orders/{request.OrderId}/pay", null);

        using var response = await _h.Http.PostAsync($"_sandbox/orders/{request.OrderId}/resend-callback", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("no notifyUrl", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _h.State.Counters.For(request.OrderId).CallbacksSent);
    }

    [Fact]
    public async Task Concurrent_actions_on_one_order_settle_it_exactly_once()
    {
        var request = Requests.Apply(amount: "10.00");
        await _h.Client.ApplyAsync(Currency.HKD, request);
        var actions = Enumerable.Range(0, 24).Select(i => (i % 3) switch { 0 => "pay", 1 => "fail", _ => "partial" }).ToList();

        var responses = await Task.WhenAll(actions.Select(async action =>
        {
            using var response = await _h.Http.PostAsync($"_sandbox/orders/{request.OrderId}/{action}", null);
            return response.StatusCode;
        }));

        Assert.Equal(1, responses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(23, responses.Count(s => s == HttpStatusCode.Conflict));
        Assert.True(_h.State.FindOrder(request.OrderId)!.Status.IsFinal());
    }

    [Fact]
    public async Task An_unknown_order_is_404()
    {
        using var response = await _h.Http.PostAsync("_sandbox/orders/nope/pay", null);
        using var get = await _h.Http.GetAsync("_sandbox/orders/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Behaviours_are_set_read_and_removed_per_order_and_by_default()
    {
        var orderId = Requests.NewOrderId();
        using var put = await _h.Http.PutAsync($"_sandbox/behaviour/{orderId}", Json("""
            {"autoAction":"over","autoActionDelay":"00:00:00.050","pendingConfirmation":"00:00:00",
             "callback":{"drop":false,"copies":2,"delay":"00:00:01","reorder":"stale"}}
            """));
        var own = await _h.Http.GetFromJsonAsync<JsonElement>($"_sandbox/behaviour/{orderId}");
        using var putDefault = await _h.Http.PutAsync("_sandbox/behaviour", Json("""{"autoAction":"fail"}"""));
        var defaultBehaviour = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/behaviour");
        using var delete = await _h.Http.DeleteAsync($"_sandbox/behaviour/{orderId}");
        var afterDelete = await _h.Http.GetFromJsonAsync<JsonElement>($"_sandbox/behaviour/{orderId}");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(own.GetProperty("own").GetBoolean());
        Assert.Equal("over", own.GetProperty("behaviour").GetProperty("autoAction").GetString());
        Assert.Equal("stale", own.GetProperty("behaviour").GetProperty("callback").GetProperty("reorder").GetString());
        Assert.Equal(HttpStatusCode.OK, putDefault.StatusCode);
        Assert.Equal("fail", defaultBehaviour.GetProperty("autoAction").GetString());
        Assert.Equal(1, defaultBehaviour.GetProperty("callback").GetProperty("copies").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(afterDelete.GetProperty("own").GetBoolean());
        Assert.Equal("fail", afterDelete.GetProperty("behaviour").GetProperty("autoAction").GetString());
    }

    [Theory]
    [InlineData("""{"autoAction":"refund"}""")]
    [InlineData("""{"callback":{"copies":0}}""")]
    [InlineData("""{"autoActionDelay":"-00:00:01"}""")]
    [InlineData("""{"pendingConfirmation":"soon"}""")]
    [InlineData("""not json""")]
    public async Task Invalid_behaviours_are_refused_with_problem_details(string body)
    {
        using var response = await _h.Http.PutAsync("_sandbox/behaviour", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Null(_h.State.DefaultBehaviour.AutoAction);
    }

    [Fact]
    public async Task Faults_are_armed_listed_used_up_and_cleared_over_HTTP()
    {
        using var created = await _h.Http.PostAsync("_sandbox/faults", Json("""{"endpoint":"apply","kind":"businessError","count":1,"errorCode":"7777","message":"Nope"}"""));
        var fault = await created.Content.ReadFromJsonAsync<JsonElement>();
        var listed = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/faults");
        var rejected = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.ApplyAsync(Currency.HKD, Requests.Apply()));
        var afterUse = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/faults");
        using var second = await _h.Http.PostAsync("_sandbox/faults", Json("""{"endpoint":"query","kind":"serverError","orderId":"x1","statusCode":502}"""));
        using var clear = await _h.Http.DeleteAsync("_sandbox/faults");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, fault.GetProperty("remaining").GetInt32());
        Assert.Equal(1, listed.GetArrayLength());
        Assert.Equal("7777", rejected.Code);
        Assert.Equal(0, afterUse.GetArrayLength());
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        Assert.Empty(_h.State.Faults.List());
    }

    [Theory]
    [InlineData("""{"endpoint":"apply","kind":"serverError","statusCode":404}""")]
    [InlineData("""{"endpoint":"apply","kind":"meltdown"}""")]
    [InlineData("""{"endpoint":"apply","kind":"timeout","count":0}""")]
    public async Task Invalid_faults_are_refused_with_problem_details(string body)
    {
        using var response = await _h.Http.PostAsync("_sandbox/faults", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(_h.State.Faults.List());
    }

    [Fact]
    public async Task Counters_and_orders_are_reported_and_reset()
    {
        var request = Requests.Apply();
        var applied = await _h.Client.ApplyAsync(Currency.HKD, request);
        await _h.Client.QueryAsync(Currency.HKD, request.OrderId);
        await _h.Client.QueryAsync(Currency.HKD, request.OrderId);

        var total = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/counters");
        var perOrder = await _h.Http.GetFromJsonAsync<JsonElement>($"_sandbox/counters/{request.OrderId}");
        var order = await _h.Http.GetFromJsonAsync<JsonElement>($"_sandbox/orders/{applied.OrderNo}");
        var orders = await _h.Http.GetFromJsonAsync<JsonElement>("_sandbox/orders");
        _h.State.DefaultBehaviour = new OrderBehaviour { AutoAction = SettleAction.Pay, AutoActionDelay = TimeSpan.FromHours(1) };
        using var reset = await _h.Http.PostAsync("_sandbox/reset", null);

        Assert.Equal((1, 1, 2), (total.GetProperty("applies").GetInt32(), total.GetProperty("appliesAccepted").GetInt32(), total.GetProperty("queries").GetInt32()));
        Assert.Equal(2, perOrder.GetProperty("queries").GetInt32());
        Assert.Equal(request.OrderId, order.GetProperty("orderId").GetString());
        Assert.Equal("100.00", order.GetProperty("amount").GetString());
        Assert.Equal(2, order.GetProperty("counters").GetProperty("queries").GetInt32());
        Assert.Equal(1, orders.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(OrderCounters.Zero, _h.State.Counters.Total);
        Assert.Empty(_h.State.Orders);
        Assert.Null(_h.State.DefaultBehaviour.AutoAction);
        var gone = await Assert.ThrowsAsync<HaiPayRejectedException>(() => _h.Client.QueryAsync(Currency.HKD, request.OrderId));
        Assert.Equal(Wire.SandboxErrorCodes.OrderNotFound, gone.Code);
    }

    private async Task<JsonElement> PostJson(string path, object? body)
    {
        using var response = await _h.Http.PostAsync(path, body is null ? null : JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
