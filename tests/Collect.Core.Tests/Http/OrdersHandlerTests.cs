using System.Text.Json;
using Collect.Core.Collection;
using Collect.Core.Http;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Tests.Support;
using HaiPay.Sandbox.Faults;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Http;

/// <summary>
/// <c>POST /api/orders</c> and <c>GET /api/orders/{orderId}</c> with real HttpContexts, the real store on Azurite and,
/// for the apply step the orchestration would run, the real apply activity against the sandbox.
/// </summary>
[Collection(CollectEnvironmentCollection.Name)]
public sealed class OrdersHandlerTests : IDisposable
{
    private readonly CollectEnvironment _environment;
    private readonly ServiceProvider _product;
    private readonly DurableClientDouble _durable = new();

    public OrdersHandlerTests(CollectEnvironment environment)
    {
        _environment = environment;
        _product = environment.CreateProduct(new Dictionary<string, string?> { ["Collect:CreateWait"] = "00:01:00" });
        // The orchestration's first step, played when the instance starts.
        _durable.OnStart = async orderId => await _product.GetRequiredService<ApplyActivity>().ApplyAsync(orderId);
    }

    public void Dispose() => _product.Dispose();

    private OrdersHandler Handler => _product.GetRequiredService<OrdersHandler>();

    private async Task<HttpExchange> CreateAsync(object body, OrdersHandler? handler = null) =>
        await HttpExchange.ExecuteAsync(
            await (handler ?? Handler).CreateAsync(HttpExchange.PostJson(_product, body), _durable.Client), _product);

    private async Task<HttpExchange> CreateRawAsync(string body, string contentType = "application/json") =>
        await HttpExchange.ExecuteAsync(await Handler.CreateAsync(HttpExchange.Post(_product, body, contentType), _durable.Client), _product);

    [Fact]
    public async Task Create_answers_201_with_location_and_the_applied_view()
    {
        var body = TestOrders.CreateBody(amount: "250.50");
        var orderId = (string)body["orderId"]!;

        var response = await CreateAsync(body);

        Assert.Equal(201, response.Status);
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location.ToString());
        var view = response.Json;
        Assert.Equal(orderId, view.GetProperty("orderId").GetString());
        Assert.Equal("AwaitingPayment", view.GetProperty("status").GetString());
        Assert.Equal("250.50", view.GetProperty("amount").GetString());
        Assert.Equal("HKD", view.GetProperty("currency").GetString());
        Assert.StartsWith("SBX", view.GetProperty("orderNo").GetString());
        Assert.StartsWith(_environment.Sandbox.BaseUrl.ToString(), view.GetProperty("payUrl").GetString());
        var input = Assert.Single(_durable.Inputs);
        Assert.Equal((orderId, HaiPay.Currency.HKD), (input.OrderId, input.Currency));
        Assert.Equal(5, input.QueryBackoff.Count);
        Assert.Equal(TimeSpan.FromMinutes(30), input.Deadline);
    }

    [Fact]
    public async Task Create_answers_201_from_the_apply_commits_it_is_handed_without_reading_the_row()
    {
        var reads = new RowReads();
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Collect:CreateWait"] = "00:01:00" },
            configure: reads.AddTo);
        // As on the engine: the apply runs after the start returns, and commits twice (the attempt, then HaiPay's answer).
        var applied = Task.CompletedTask;
        var durable = new DurableClientDouble
        {
            OnStart = orderId =>
            {
                applied = Task.Run(() => product.GetRequiredService<ApplyActivity>().ApplyAsync(orderId));
                return Task.CompletedTask;
            },
        };
        var body = TestOrders.CreateBody();

        var response = await HttpExchange.ExecuteAsync(
            await product.GetRequiredService<OrdersHandler>().CreateAsync(HttpExchange.PostJson(product, body), durable.Client), product);
        await applied;

        Assert.Equal(201, response.Status);
        Assert.Equal("AwaitingPayment", response.Json.GetProperty("status").GetString());
        // The apply's one read; the create reads nothing, it is handed both commits as they happen.
        Assert.Equal(1, reads.Of((string)body["orderId"]!, "order"));
    }

    [Fact]
    public async Task Create_answers_201_when_the_apply_ran_in_another_process_by_re_reading_the_row()
    {
        var tables = new Dictionary<string, string?>
        {
            ["Collect:CreateWait"] = "00:01:00",
            ["Collect:OrdersTable"] = "orders" + Guid.NewGuid().ToString("N")[..12],
            ["Collect:IndexTable"] = "index" + Guid.NewGuid().ToString("N")[..12],
        };
        using var creator = _environment.CreateProduct(tables);
        using var worker = _environment.CreateProduct(tables);
        // The apply commits through the other process's store: nothing is handed to the create, which must read.
        var durable = new DurableClientDouble
        {
            OnStart = orderId =>
            {
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    await worker.GetRequiredService<ApplyActivity>().ApplyAsync(orderId);
                });
                return Task.CompletedTask;
            },
        };

        var response = await HttpExchange.ExecuteAsync(
            await creator.GetRequiredService<OrdersHandler>().CreateAsync(HttpExchange.PostJson(creator, TestOrders.CreateBody()), durable.Client), creator);

        Assert.Equal(201, response.Status);
        Assert.Equal("AwaitingPayment", response.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Create_answers_202_with_location_when_the_apply_has_not_finished_within_the_wait()
    {
        using var product = _environment.CreateProduct(new Dictionary<string, string?> { ["Collect:CreateWait"] = "00:00:00.300" });
        var durable = new DurableClientDouble();
        var body = TestOrders.CreateBody();

        var response = await HttpExchange.ExecuteAsync(
            await product.GetRequiredService<OrdersHandler>().CreateAsync(HttpExchange.PostJson(product, body), durable.Client), product);

        Assert.Equal(202, response.Status);
        Assert.Equal($"/api/orders/{body["orderId"]}", response.Headers.Location.ToString());
        Assert.Equal("Pending", response.Json.GetProperty("status").GetString());
        Assert.Equal(1, durable.Starts);
    }

    [Fact]
    public async Task The_same_request_again_answers_200_with_the_current_view_and_never_applies_twice()
    {
        var body = TestOrders.CreateBody();

        var first = await CreateAsync(body);
        var second = await CreateAsync(body);

        Assert.Equal((201, 200), (first.Status, second.Status));
        Assert.Equal(first.Json.GetProperty("orderNo").GetString(), second.Json.GetProperty("orderNo").GetString());
        Assert.Equal(1, _durable.Starts);
        Assert.Equal(1, _environment.Sandbox.State.Counters.For((string)body["orderId"]!).Applies);
    }

    [Fact]
    public async Task Identical_creates_racing_each_other_make_one_order_one_instance_and_one_apply()
    {
        var body = TestOrders.CreateBody();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => CreateAsync(body))));

        Assert.Single(responses, r => r.Status == 201);
        Assert.All(responses, r => Assert.Contains(r.Status, new[] { 200, 201 }));
        Assert.Equal(1, _durable.Starts);
        Assert.Equal(1, _environment.Sandbox.State.Counters.For((string)body["orderId"]!).Applies);
    }

    [Fact]
    public async Task A_replay_starts_the_instance_a_crashed_creator_never_scheduled()
    {
        var request = TestOrders.CreateRequest();
        var store = _product.GetRequiredService<OrderStore>();
        await store.CreateAsync(request.ToPendingOrder(HaiPay.Currency.HKD, 100m,
            DateTimeOffset.UtcNow - OrdersHandler.OrphanedAfter - TimeSpan.FromSeconds(1)));

        var response = await CreateAsync(TestOrders.CreateBody(request.OrderId));

        Assert.Equal(200, response.Status);
        Assert.Equal(1, _durable.Starts);
        Assert.Equal(OrderStatus.AwaitingPayment, (await store.GetAsync(request.OrderId!))!.Status);
    }

    [Fact]
    public async Task A_replay_racing_a_fresh_create_does_not_start_a_second_instance_before_the_first_is_visible()
    {
        var request = TestOrders.CreateRequest();
        var store = _product.GetRequiredService<OrderStore>();
        await store.CreateAsync(request.ToPendingOrder(HaiPay.Currency.HKD, 100m, DateTimeOffset.UtcNow));

        var response = await CreateAsync(TestOrders.CreateBody(request.OrderId));

        Assert.Equal(200, response.Status);
        Assert.Equal(0, _durable.Starts);
        Assert.Equal(OrderStatus.Pending, (await store.GetAsync(request.OrderId!))!.Status);
    }

    [Fact]
    public async Task The_same_order_id_with_a_different_request_answers_409()
    {
        var body = TestOrders.CreateBody();
        await CreateAsync(body);
        body["amount"] = "99.00";

        var response = await CreateAsync(body);

        Assert.Equal(409, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(1, _durable.Starts);
    }

    [Fact]
    public async Task A_haipay_rejection_answers_422_with_haipays_error_and_msg_and_stores_rejected()
    {
        var body = TestOrders.CreateBody();
        var orderId = (string)body["orderId"]!;
        _environment.Sandbox.State.Faults.Add(new FaultRule
        {
            Endpoint = FaultEndpoint.Apply, Kind = FaultKind.BusinessError, OrderId = orderId,
            ErrorCode = "4002", Message = "channel code does not exist",
        });

        var response = await CreateAsync(body);

        Assert.Equal(422, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("4002", response.Json.GetProperty("errorCode").GetString());
        Assert.Equal("channel code does not exist", response.Json.GetProperty("providerMessage").GetString());
        Assert.Equal(OrderStatus.Rejected, (await _product.GetRequiredService<OrderStore>().GetAsync(orderId))!.Status);
    }

    [Fact]
    public async Task Invalid_input_answers_400_with_every_field_problem_at_once_and_stores_nothing()
    {
        var body = TestOrders.CreateBody();
        body["currency"] = "EUR";
        body["amount"] = 12.5;
        body["email"] = "nope";
        body["phone"] = "123";
        body.Remove("callBackUrl");
        body["notifyUrl"] = "https://attacker.example.com/";

        var response = await CreateAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var errors = response.Json.GetProperty("errors");
        Assert.Equal(["amount", "callBackUrl", "currency", "email", "phone"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("string", errors.GetProperty("amount")[0].GetString());
        Assert.Null(await _product.GetRequiredService<OrderStore>().GetAsync((string)body["orderId"]!));
        Assert.Equal(0, _durable.Starts);
    }

    [Theory]
    [InlineData("HKD", "ALIPAY_HKD", "EWALLET", "5000.01")]
    [InlineData("HKD", "WXPAY_SCANCODE", "EWALLET", "1000.01")]
    [InlineData("USD", "PAYME_USD", "BANK_TRANSFER", "10.00")]
    public async Task Limits_and_maintenance_answer_400(string currency, string inBankCode, string payType, string amount)
    {
        var body = TestOrders.CreateBody(amount: amount);
        body["currency"] = currency;
        body["inBankCode"] = inBankCode;
        body["payType"] = payType;

        var response = await CreateAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Contains(response.Json.GetProperty("errors").EnumerateObject(), e => e.Name is "amount" or "inBankCode");
    }

    [Theory]
    [InlineData("{\"orderId\": \"x\",")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public async Task Malformed_json_answers_400_with_a_clear_detail(string body)
    {
        var response = await CreateRawAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("JSON", response.Json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_answers_200_with_the_view_and_404_for_unknown_orders()
    {
        var body = TestOrders.CreateBody();
        var created = await CreateAsync(body);

        var found = await HttpExchange.ExecuteAsync(await Handler.GetAsync((string)body["orderId"]!), _product);
        var missing = await HttpExchange.ExecuteAsync(await Handler.GetAsync("no-such-order"), _product);
        var unstorable = await HttpExchange.ExecuteAsync(await Handler.GetAsync("a#b"), _product);

        Assert.Equal(200, found.Status);
        Assert.Equal(created.Body, found.Body);
        Assert.Equal((404, "application/problem+json"), (missing.Status, missing.ContentType));
        Assert.Equal(404, unstorable.Status);
    }

    [Fact]
    public async Task The_caller_cannot_choose_the_notify_url()
    {
        var body = TestOrders.CreateBody();
        body["notifyUrl"] = "https://attacker.example.com/notify";
        body["appId"] = 42;

        Assert.Equal(201, (await CreateAsync(body)).Status);

        Assert.Equal("http://127.0.0.1:9/api/haipay/notify", _environment.Sandbox.State.FindOrder((string)body["orderId"]!)!.NotifyUrl);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("")]
    [InlineData("not a media type")]
    public async Task A_body_that_is_not_json_by_content_type_answers_415_and_stores_nothing(string contentType)
    {
        var body = TestOrders.CreateBody();

        var response = await CreateRawAsync(JsonSerializer.Serialize(body), contentType);

        Assert.Equal((415, "application/problem+json"), (response.Status, response.ContentType));
        Assert.Null(await _product.GetRequiredService<OrderStore>().GetAsync((string)body["orderId"]!));
        Assert.Equal(0, _durable.Starts);
    }

    [Theory]
    [InlineData("\"Tai \\ud800 Chan\"")]
    [InlineData("\"Tai \\udc00 Chan\"")]
    public async Task A_lone_surrogate_in_a_string_answers_400_naming_the_field(string name)
    {
        var body = JsonSerializer.Serialize(TestOrders.CreateBody()).Replace("\"Chan Tai Man\"", name);

        var response = await CreateRawAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Contains("not valid text", response.Json.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_string_answers_400_not_500()
    {
        var json = JsonSerializer.Serialize(TestOrders.CreateBody());
        var bytes = System.Text.Encoding.UTF8.GetBytes(json).ToList();
        var at = json.IndexOf("Chan Tai Man", StringComparison.Ordinal) + 4;
        bytes.Insert(at, 0xC3);
        bytes.Insert(at + 1, 0x28);
        var request = HttpExchange.Post(_product, "");
        request.Body = new MemoryStream([.. bytes]);
        request.ContentLength = bytes.Count;

        var response = await HttpExchange.ExecuteAsync(await Handler.CreateAsync(request, _durable.Client), _product);

        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task A_forty_thousand_character_name_answers_400_and_never_reaches_table_storage()
    {
        var body = TestOrders.CreateBody();
        body["name"] = "Chan " + new string('x', 40_000);

        var response = await CreateAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Contains("at most 128 characters", response.Json.GetProperty("errors").GetProperty("name")[0].GetString());
        Assert.Null(await _product.GetRequiredService<OrderStore>().GetAsync((string)body["orderId"]!));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("ORD 1")]
    [InlineData("ORD\u202E1")]
    public async Task Order_ids_that_could_never_be_read_back_or_spoof_a_screen_answer_400(string orderId)
    {
        var response = await CreateAsync(TestOrders.CreateBody(orderId));

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("orderId", out _));
        Assert.Equal(0, _durable.Starts);
    }

    [Fact]
    public async Task A_body_over_64_KiB_answers_413()
    {
        var body = TestOrders.CreateBody();
        body["body"] = new string('x', 70_000);

        var response = await CreateAsync(body);

        Assert.Equal((413, "application/problem+json"), (response.Status, response.ContentType));
    }

    [Fact]
    public async Task Create_puts_the_order_on_the_sweeps_work_list_and_starts_with_an_explicit_reuse_policy()
    {
        var body = TestOrders.CreateBody();
        var orderId = (string)body["orderId"]!;

        Assert.Equal(201, (await CreateAsync(body)).Status);

        var row = Assert.Single(await _product.GetRequiredService<OrderIndex>().ForOrderAsync(orderId));
        var order = (await _product.GetRequiredService<OrderStore>().GetAsync(orderId))!;
        Assert.Equal(OrderIndex.Slot(order.CreatedAt + TimeSpan.FromMinutes(2)), row.DueAt);
        Assert.InRange(row.DueAt - order.CreatedAt, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
        Assert.Equal(1, _durable.Starts);
    }

    [Fact]
    public async Task A_replay_does_not_leave_a_second_row_on_the_work_list()
    {
        var body = TestOrders.CreateBody();

        await CreateAsync(body);
        await CreateAsync(body);

        Assert.Single(await _product.GetRequiredService<OrderIndex>().ForOrderAsync((string)body["orderId"]!));
    }

    [Fact]
    public async Task A_caller_hanging_up_after_sending_the_request_does_not_stop_the_order_being_stored_and_started()
    {
        var body = TestOrders.CreateBody();
        var orderId = (string)body["orderId"]!;
        using var hangUp = new CancellationTokenSource();
        var request = HttpExchange.PostJson(_product, body);
        request.Body = new HangUpAtEnd(request.Body, hangUp);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Handler.CreateAsync(request, _durable.Client, hangUp.Token));

        Assert.NotNull(await _product.GetRequiredService<OrderStore>().GetAsync(orderId));
        Assert.Equal(1, _durable.Starts);
        Assert.Single(await _product.GetRequiredService<OrderIndex>().ForOrderAsync(orderId));
    }

    /// <summary>A request body whose client hangs up the moment the last byte has been read.</summary>
    private sealed class HangUpAtEnd(Stream inner, CancellationTokenSource hangUp) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Done(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Done(await inner.ReadAsync(buffer, cancellationToken));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Done(int read)
        {
            if (read == 0)
            {
                hangUp.Cancel();
            }
            return read;
        }
    }
}
