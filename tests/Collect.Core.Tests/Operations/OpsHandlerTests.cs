using System.Net;
using System.Text;
using Collect.Core.Collection;
using Collect.Core.Events;
using Collect.Core.Operations;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay.Sandbox;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Operations;

/// <summary>The operations API: real HttpContexts, the real store and index on Azurite, the real sandbox.</summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class OpsHandlerTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ServiceProvider _product;
    private readonly DurableClientDouble _durable = new();

    public OpsHandlerTests(CollectEnvironment environment)
    {
        _environment = environment;
        _product = environment.CreateProduct();
    }

    public void Dispose() => _product.Dispose();

    private OpsHandler Ops => _product.GetRequiredService<OpsHandler>();
    private OrderStore Store => _product.GetRequiredService<OrderStore>();

    private static HttpRequest Request(IServiceProvider services, string method, string query = "", string? body = null,
        IPAddress? remote = null, string? principal = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query);
        context.Connection.RemoteIpAddress = remote ?? IPAddress.Loopback;
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }
        if (principal is not null)
        {
            context.Request.Headers[OpsAccess.PrincipalHeader] = principal;
        }
        return context.Request;
    }

    private async Task<HttpExchange> RunAsync(Task<IResult> result) => await HttpExchange.ExecuteAsync(await result, _product);

    private async Task<Order> StoredAsync(OrderStatus status)
    {
        var order = TestOrders.Pending();
        await Store.CreateAsync(order);
        return status == OrderStatus.Pending ? order : (await Store.UpdateAsync(order.OrderId, o => o with { Status = status }, "test"))!;
    }

    [Fact]
    public async Task Resolving_an_order_in_review_succeeds_audits_who_and_why_and_starts_its_event()
    {
        var order = await StoredAsync(OrderStatus.NeedsReview);

        var response = await RunAsync(Ops.ResolveAsync(Request(_product, "POST", body: """{"outcome":"Succeeded","note":"bank statement shows it"}"""),
            order.OrderId, _durable.Client));

        Assert.Equal(200, response.Status);
        var stored = await Store.GetAsync(order.OrderId);
        Assert.Equal((OrderStatus.Succeeded, "bank statement shows it"), (stored!.Status, stored.ResolutionNote));
        var audit = await Store.GetAuditAsync(order.OrderId);
        var action = Assert.Single(audit, e => e.Kind == AuditKind.Operator);
        Assert.Equal(("resolve", "resolved as Succeeded: bank statement shows it"), (action.Reason, action.Detail));
        Assert.StartsWith("local operator", action.Actor);
        Assert.Contains(audit, e => e.Kind == AuditKind.Transition && e.ToStatus == OrderStatus.Succeeded && e.Reason == "operator: resolve");
        // Its first attempt runs in the background: the sandbox's storefront accepts it, so no retries are scheduled.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await Store.GetEventAsync(order.OrderId, stored.EventSequence))?.State != Collect.Core.Events.EventState.Delivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(Collect.Core.Events.EventState.Delivered, (await Store.GetEventAsync(order.OrderId, stored.EventSequence))?.State);
        Assert.DoesNotContain(_durable.EventDeliveries, d => d.OrderId == order.OrderId);
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment)]
    [InlineData(OrderStatus.Succeeded)]
    [InlineData(OrderStatus.Cancelled)]
    public async Task Resolving_anything_but_needs_review_answers_409_and_changes_nothing(OrderStatus status)
    {
        var order = await StoredAsync(status);

        var response = await RunAsync(Ops.ResolveAsync(Request(_product, "POST", body: """{"outcome":"Failed","note":"n"}"""), order.OrderId, _durable.Client));

        Assert.Equal((409, "application/problem+json"), (response.Status, response.ContentType));
        Assert.Equal(order.ETag, (await Store.GetAsync(order.OrderId))!.ETag);
        Assert.DoesNotContain(await Store.GetAuditAsync(order.OrderId), e => e.Kind == AuditKind.Operator);
    }

    [Theory]
    [InlineData("""{"outcome":"Succeeded"}""", "note")]
    [InlineData("""{"outcome":"Succeeded","note":"   "}""", "note")]
    [InlineData("""{"outcome":"Expired","note":"x"}""", "outcome")]
    [InlineData("""{"outcome":"Succeeded","note":"a\u0000b"}""", "note")]
    public async Task A_resolution_needs_an_outcome_and_a_note(string body, string field)
    {
        var order = await StoredAsync(OrderStatus.NeedsReview);

        var response = await RunAsync(Ops.ResolveAsync(Request(_product, "POST", body: body), order.OrderId, _durable.Client));

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(OrderStatus.NeedsReview, (await Store.GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public async Task Cancelling_a_waiting_order_stops_its_orchestration_and_a_final_one_answers_409()
    {
        var waiting = await StoredAsync(OrderStatus.AwaitingPayment);
        var done = await StoredAsync(OrderStatus.Succeeded);

        var cancelled = await RunAsync(Ops.CancelAsync(Request(_product, "POST", body: """{"note":"customer gave up"}"""), waiting.OrderId, _durable.Client));
        var refused = await RunAsync(Ops.CancelAsync(Request(_product, "POST", body: """{"note":"x"}"""), done.OrderId, _durable.Client));

        Assert.Equal((200, 409), (cancelled.Status, refused.Status));
        Assert.Equal(OrderStatus.Cancelled, (await Store.GetAsync(waiting.OrderId))!.Status);
        Assert.Contains(_durable.Events, e => e.InstanceId == waiting.OrderId);
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(done.OrderId))!.Status);
    }

    [Fact]
    public async Task Restart_needs_a_waiting_order_without_a_live_orchestration()
    {
        var order = await StoredAsync(OrderStatus.AwaitingPayment);
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);

        var live = await RunAsync(Ops.RestartAsync(Request(_product, "POST"), order.OrderId, _durable.Client));
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Failed);
        var dead = await RunAsync(Ops.RestartAsync(Request(_product, "POST"), order.OrderId, _durable.Client));

        Assert.Equal((409, 202), (live.Status, dead.Status));
        Assert.True(Assert.Single(_durable.Inputs).Applied);
    }

    [Fact]
    public async Task Requery_asks_haipay_directly_when_no_orchestration_runs()
    {
        var order = TestOrders.Pending();
        await Store.CreateAsync(order);
        await _product.GetRequiredService<ApplyActivity>().ApplyAsync(order.OrderId);
        await _product.GetRequiredService<ExpireActivity>().ExpireAsync(order.OrderId);
        _environment.Sandbox.Orders.Settle(order.OrderId, SettleAction.Pay);

        var response = await RunAsync(Ops.RequeryAsync(Request(_product, "POST"), order.OrderId, _durable.Client));

        Assert.Equal(200, response.Status);
        Assert.Equal(OrderStatus.Succeeded, (await Store.GetAsync(order.OrderId))!.Status);
        Assert.Contains(await Store.GetAuditAsync(order.OrderId), e => e is { Kind: AuditKind.Query, Reason: "Operator" } && e.Actor!.StartsWith("local"));
    }

    [Fact]
    public async Task Requery_of_a_running_order_goes_through_its_orchestration()
    {
        var order = await StoredAsync(OrderStatus.AwaitingPayment);
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);

        var response = await RunAsync(Ops.RequeryAsync(Request(_product, "POST"), order.OrderId, _durable.Client));

        Assert.Equal(202, response.Status);
        Assert.Single(_durable.Events, e => e.InstanceId == order.OrderId);
    }

    [Fact]
    public async Task Lists_come_from_the_index_by_status_newest_first_and_page_with_a_continuation()
    {
        var review = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            review.Add((await StoredAsync(OrderStatus.NeedsReview)).OrderId);
            await Task.Delay(5);
        }
        var other = await StoredAsync(OrderStatus.Succeeded);

        var first = await RunAsync(Ops.ListAsync(Request(_product, "GET", "?status=NeedsReview&limit=3")));
        var token = first.Json.GetProperty("continuation").GetString();
        var second = await RunAsync(Ops.ListAsync(Request(_product, "GET", $"?status=NeedsReview&limit=3&continuation={token}")));

        var ids = first.Json.GetProperty("orders").EnumerateArray().Concat(second.Json.GetProperty("orders").EnumerateArray())
            .Select(o => o.GetProperty("order").GetProperty("orderId").GetString()).ToList();
        Assert.Equal(Enumerable.Reverse(review), ids);
        Assert.True(second.Json.GetProperty("continuation").ValueKind == System.Text.Json.JsonValueKind.Null);
        Assert.DoesNotContain(other.OrderId, ids);
        var listed = first.Json.GetProperty("orders")[0];
        Assert.Equal("C*** T*** M***", listed.GetProperty("name").GetString());
        Assert.DoesNotContain("5123", listed.GetProperty("phone").GetString());
    }

    [Fact]
    public async Task The_overdue_list_shows_open_orders_past_their_deadline_only()
    {
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Collect:Deadline"] = "00:00:01" });
        var store = product.GetRequiredService<OrderStore>();
        var old = TestOrders.Pending(now: DateTimeOffset.UtcNow.AddMinutes(-5));
        var fresh = TestOrders.Pending(now: DateTimeOffset.UtcNow.AddMinutes(1));
        await store.CreateAsync(old);
        await store.CreateAsync(fresh);

        var response = await HttpExchange.ExecuteAsync(
            await product.GetRequiredService<OpsHandler>().ListAsync(Request(product, "GET", "?status=overdue")), product);

        var ids = response.Json.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("order").GetProperty("orderId").GetString()).ToList();
        Assert.Equal([old.OrderId], ids);
    }

    [Theory]
    [InlineData("?status=Nonsense")]
    [InlineData("?status=3")]
    [InlineData("?limit=0")]
    [InlineData("?limit=1000")]
    [InlineData("?from=yesterday")]
    [InlineData("?continuation=%%%")]
    [InlineData("?continuation=Zm9v")]
    public async Task Bad_list_parameters_answer_400(string query)
    {
        var response = await RunAsync(Ops.ListAsync(Request(_product, "GET", query)));

        Assert.Equal((400, "application/problem+json"), (response.Status, response.ContentType));
    }

    [Fact]
    public async Task The_timeline_has_the_order_audit_events_and_orchestration()
    {
        var order = await StoredAsync(OrderStatus.AwaitingPayment);
        _durable.SetStatus(order.OrderId, OrchestrationRuntimeStatus.Running);

        var response = await RunAsync(Ops.TimelineAsync(Request(_product, "GET"), order.OrderId, _durable.Client));

        Assert.Equal(200, response.Status);
        Assert.Equal("AwaitingPayment", response.Json.GetProperty("order").GetProperty("order").GetProperty("status").GetString());
        Assert.True(response.Json.GetProperty("audit").GetArrayLength() >= 2);
        Assert.Equal(OrderEvents.AwaitingPayment, response.Json.GetProperty("events")[0].GetProperty("type").GetString());
        Assert.Equal("Running", response.Json.GetProperty("orchestration").GetProperty("runtimeStatus").GetString());
        Assert.Equal(404, (await RunAsync(Ops.TimelineAsync(Request(_product, "GET"), "no-such-order", _durable.Client))).Status);
        Assert.Equal(404, (await RunAsync(Ops.TimelineAsync(Request(_product, "GET"), "../etc", _durable.Client))).Status);
    }

    [Fact]
    public async Task Off_this_machine_the_local_api_does_not_answer()
    {
        var order = await StoredAsync(OrderStatus.NeedsReview);
        var remote = IPAddress.Parse("203.0.113.7");

        var list = await RunAsync(Ops.ListAsync(Request(_product, "GET", remote: remote)));
        var resolve = await RunAsync(Ops.ResolveAsync(Request(_product, "POST", body: """{"outcome":"Succeeded","note":"x"}""", remote: remote),
            order.OrderId, _durable.Client));

        Assert.Equal((404, 404), (list.Status, resolve.Status));
        Assert.Equal(OrderStatus.NeedsReview, (await Store.GetAsync(order.OrderId))!.Status);
    }

    [Fact]
    public async Task With_entra_id_reading_needs_the_read_role_and_acting_the_act_role()
    {
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Ops:Access"] = "EntraId" });
        var ops = product.GetRequiredService<OpsHandler>();
        var store = product.GetRequiredService<OrderStore>();
        var order = TestOrders.Pending();
        await store.CreateAsync(order);
        await store.UpdateAsync(order.OrderId, o => o with { Status = OrderStatus.NeedsReview }, "test");
        var remote = IPAddress.Parse("203.0.113.7");
        var reader = OpsAccess.EncodePrincipal("reader@shop.example", "Ops.Read");
        var actor = OpsAccess.EncodePrincipal("lead@shop.example", "Ops.Act");
        const string resolve = """{"outcome":"Failed","note":"customer charged back"}""";

        async Task<int> Status(Task<IResult> result) => (await HttpExchange.ExecuteAsync(await result, product)).Status;

        Assert.Equal(401, await Status(ops.ListAsync(Request(product, "GET", remote: remote))));
        Assert.Equal(401, await Status(ops.ListAsync(Request(product, "GET", remote: remote, principal: "not base64 json"))));
        Assert.Equal(403, await Status(ops.ListAsync(Request(product, "GET", remote: remote, principal: OpsAccess.EncodePrincipal("x", "Other")))));
        Assert.Equal(200, await Status(ops.ListAsync(Request(product, "GET", remote: remote, principal: reader))));
        Assert.Equal(403, await Status(ops.ResolveAsync(Request(product, "POST", body: resolve, remote: remote, principal: reader), order.OrderId, _durable.Client)));
        Assert.Equal(200, await Status(ops.ResolveAsync(Request(product, "POST", body: resolve, remote: remote, principal: actor), order.OrderId, _durable.Client)));
        Assert.Equal("lead@shop.example", (await store.GetAuditAsync(order.OrderId)).Single(e => e.Kind == AuditKind.Operator).Actor);
    }

    [Fact]
    public async Task Disabled_answers_404_even_to_a_forged_principal()
    {
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Ops:Access"] = "Disabled" });
        var forged = OpsAccess.EncodePrincipal("attacker", "Ops.Act", "Ops.Read");

        var response = await HttpExchange.ExecuteAsync(
            await product.GetRequiredService<OpsHandler>().ListAsync(Request(product, "GET", principal: forged)), product);

        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task The_console_is_served_with_a_strict_content_security_policy()
    {
        var console = _product.GetRequiredService<OpsConsole>();
        var context = new DefaultHttpContext { RequestServices = _product };
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Response.Body = new MemoryStream();

        await console.Serve(context.Request, null).ExecuteAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Contains("default-src 'none'", context.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Contains("script-src 'self'", context.Response.Headers.ContentSecurityPolicy.ToString());
        var html = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains("ops/console.js", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", ""));
    }

    [Fact]
    public async Task Every_operations_route_refuses_a_caller_off_this_machine_and_changes_nothing()
    {
        var order = await StoredAsync(OrderStatus.NeedsReview);
        var remote = IPAddress.Parse("198.51.100.20");
        HttpRequest Remote(string method, string? body = null) => Request(_product, method, body: body, remote: remote);
        var calls = new (string Route, Func<Task<IResult>> Call)[]
        {
            ("list", () => Ops.ListAsync(Remote("GET"))),
            ("timeline", () => Ops.TimelineAsync(Remote("GET"), order.OrderId, _durable.Client)),
            ("requery", () => Ops.RequeryAsync(Remote("POST"), order.OrderId, _durable.Client)),
            ("resolve", () => Ops.ResolveAsync(Remote("POST", """{"outcome":"Succeeded","note":"x"}"""), order.OrderId, _durable.Client)),
            ("cancel", () => Ops.CancelAsync(Remote("POST", """{"note":"x"}"""), order.OrderId, _durable.Client)),
            ("restart", () => Ops.RestartAsync(Remote("POST"), order.OrderId, _durable.Client)),
            ("redeliver", () => Ops.RedeliverAsync(Remote("POST"), order.OrderId, "1", _durable.Client)),
            ("undelivered", () => Ops.UndeliveredAsync(Remote("GET"))),
            ("redeliver all", () => Ops.RedeliverAllAsync(Remote("POST"), _durable.Client)),
            ("console", () => Task.FromResult(_product.GetRequiredService<OpsConsole>().Serve(Remote("GET"), null))),
            ("console script", () => Task.FromResult(_product.GetRequiredService<OpsConsole>().Serve(Remote("GET"), "console.js"))),
        };

        foreach (var (route, call) in calls)
        {
            Assert.True((await RunAsync(call())).Status == 404, route);
        }
        Assert.Equal(order.ETag, (await Store.GetAsync(order.OrderId))!.ETag);
        Assert.Empty(_durable.Events);
        Assert.Equal(0, _durable.Starts);
    }
}
