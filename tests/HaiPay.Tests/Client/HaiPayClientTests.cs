using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HaiPay.Client;
using HaiPay.Signing;
using HaiPay.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TestSupport;

namespace HaiPay.Tests.Client;

public sealed class HaiPayClientTests : IDisposable
{
    private const string Secret = "hkd-secret";
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static HaiPayCredentials Credentials(RSA? platformPublicKey = null) =>
        new(1001, Secret, TestKeys.Merchant, platformPublicKey ?? TestKeys.PublicOnly(TestKeys.Platform));

    private HaiPayClient Client(Uri baseUrl, IHaiPayCredentialSource source, Action<HaiPayOptions>? configure = null, ILogger<HaiPayClient>? logger = null)
    {
        var options = new HaiPayOptions { BaseUrl = baseUrl, AttemptTimeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new HaiPayClient(_http, source, Options.Create(options), logger ?? NullLogger<HaiPayClient>.Instance);
    }

    private static ApplyRequest Apply() => new()
    {
        OrderId = "ORD-1",
        Amount = "100.50",
        PayType = "EWALLET",
        InBankCode = "ALIPAY_HKD",
        Name = "Chan Tai Man",
        Phone = "+852 9123 4567",
        Email = "tai.man@example.com",
        PartnerUserId = "user-42",
        CallBackUrl = "https://merchant.example/paid?o=ORD-1&r=ok",
        CallBackFailUrl = "https://merchant.example/failed",
        NotifyUrl = "https://merchant.example/notify",
        Subject = "Order 1",
    };

    /// <summary>Signs a data object the way HaiPay does: over every field as it appears on the wire (numbers literal).</summary>
    private static string SignedData(string dataJson, RSA key, SignatureOptions? options = null)
    {
        var data = JsonNode.Parse(dataJson)!.AsObject();
        var fields = data.Select(p => KeyValuePair.Create(p.Key,
            p.Value is null ? null : p.Value.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value.ToJsonString()));
        data["sign"] = new HaiPaySigner(options ?? SignatureOptions.Default).Sign(fields.ToList(), Secret, key);
        return data.ToJsonString();
    }

    private static CannedResponse Ok(string dataJson, RSA? signWith = null, string status = "\"1\"", SignatureOptions? options = null) =>
        new(200, $$"""{"status":{{status}},"error":"00000000","msg":"","data":{{SignedData(dataJson, signWith ?? TestKeys.Platform, options)}}}""");

    private const string ApplyData = """{"orderId":"ORD-1","orderNo":"HP-777","payUrl":"https://pay.haipay.example/c/HP-777?t=a&u=b"}""";

    private const string QueryData =
        """{"orderId":"ORD-9","orderNo":"HP-9","amount":"100.50","actualAmount":100.5,"fee":"1.20","status":2,"payTime":"2026-04-17 13:45:30","errorMsg":"","addedLater":"x"}""";

    private static bool MerchantSigned(string canonical, string sign) =>
        TestKeys.Merchant.VerifyData(Encoding.UTF8.GetBytes(canonical), Convert.FromBase64String(sign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Fact]
    public async Task Apply_posts_a_correctly_signed_flat_body_and_returns_the_payment_page()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(ApplyData));

        var result = await Client(server.BaseUrl, new StubCredentialSource(Credentials())).ApplyAsync(Currency.HKD, Apply());

        Assert.Equal(new ApplyResult("ORD-1", "HP-777", "https://pay.haipay.example/c/HP-777?t=a&u=b"), result);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hkd/collect/apply", request.Path);
        Assert.StartsWith("application/json", request.ContentType);
        using var body = JsonDocument.Parse(request.Body);
        var properties = body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(JsonValueKind.Number, properties["appId"].ValueKind);
        Assert.Equal("1001", properties["appId"].GetRawText());
        Assert.All(properties.Where(p => p.Key != "appId"), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        Assert.False(properties.ContainsKey("body"));
        Assert.Equal("100.50", properties["amount"].GetString());
        const string canonical =
            "amount=100.50&appId=1001&callBackFailUrl=https://merchant.example/failed&callBackUrl=https://merchant.example/paid?o=ORD-1&r=ok" +
            "&email=tai.man@example.com&inBankCode=ALIPAY_HKD&name=Chan Tai Man&notifyUrl=https://merchant.example/notify&orderId=ORD-1" +
            "&partnerUserId=user-42&payType=EWALLET&phone=+852 9123 4567&subject=Order 1&key=hkd-secret";
        Assert.True(MerchantSigned(canonical, properties["sign"].GetString()!));
    }

    [Fact]
    public async Task Query_posts_appId_orderId_and_the_optional_orderNo_to_the_currency_path()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData));
        var client = Client(server.BaseUrl, new StubCredentialSource(Credentials()));

        await client.QueryAsync(Currency.USD, "ORD-9");
        await client.QueryAsync(Currency.USD, "ORD-9", "HP-9");

        var requests = server.Requests.ToArray();
        Assert.All(requests, r => Assert.Equal("/usd/collect/query", r.Path));
        Assert.Equal(["appId", "orderId", "sign"], JsonNode.Parse(requests[0].Body)!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.True(MerchantSigned("appId=1001&orderId=ORD-9&key=hkd-secret", JsonNode.Parse(requests[0].Body)!["sign"]!.GetValue<string>()));
        Assert.True(MerchantSigned("appId=1001&orderId=ORD-9&orderNo=HP-9&key=hkd-secret", JsonNode.Parse(requests[1].Body)!["sign"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Query_reads_a_verified_result_with_numbers_decimals_and_the_provider_offset()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData, status: "1"));
        var source = new StubCredentialSource(Credentials());

        var result = await Client(server.BaseUrl, source).QueryAsync(Currency.HKD, "ORD-9");

        Assert.Equal("ORD-9", result.OrderId);
        Assert.Equal("HP-9", result.OrderNo);
        Assert.Equal(100.50m, result.Amount);
        Assert.Equal(100.5m, result.ActualAmount);
        Assert.Equal(1.20m, result.Fee);
        Assert.Equal(CollectionStatus.Success, result.Status);
        Assert.Equal(new DateTimeOffset(2026, 4, 17, 13, 45, 30, TimeSpan.FromHours(8)), result.PayTime);
        Assert.Null(result.ErrorMsg);
        Assert.True(result.SignatureVerified);
        Assert.Equal(0, source.RefreshCount);
    }

    [Fact]
    public async Task Query_reads_a_pending_order_with_a_string_status()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok("""{"orderId":"ORD-9","status":"-1"}"""));

        var result = await Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9");

        Assert.Equal(CollectionStatus.PendingConfirmation, result.Status);
        Assert.Null(result.PayTime);
        Assert.Null(result.Amount);
    }

    [Fact]
    public async Task With_verification_off_an_unverifiable_result_is_returned_but_marked_unverified()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData, TestKeys.Stranger));
        var source = new StubCredentialSource(Credentials());

        var result = await Client(server.BaseUrl, source, o => o.VerifyResponseSignatures = false).QueryAsync(Currency.HKD, "ORD-9");

        Assert.Equal(CollectionStatus.Success, result.Status);
        Assert.False(result.SignatureVerified);
        Assert.Equal(0, source.RefreshCount);
    }

    [Fact]
    public async Task A_bad_data_signature_refreshes_credentials_exactly_once_then_fails_as_InvalidSignature()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(ApplyData, TestKeys.Stranger));
        var source = new StubCredentialSource(Credentials());

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            Client(server.BaseUrl, source).ApplyAsync(Currency.HKD, Apply()));

        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
        Assert.Equal(1, source.RefreshCount);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_field_added_to_data_after_signing_fails_verification()
    {
        await using var server = await FakeHaiPay.StartAsync(_ =>
        {
            var signed = JsonNode.Parse(SignedData(QueryData, TestKeys.Platform))!.AsObject();
            signed["injected"] = "1";
            return new CannedResponse(200, $$"""{"status":"1","data":{{signed.ToJsonString()}}}""");
        });

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9"));

        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
    }

    [Fact]
    public async Task A_rolled_platform_key_is_picked_up_by_the_one_refresh()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData));
        var source = new StubCredentialSource(Credentials(TestKeys.PublicOnly(TestKeys.Stranger)), Credentials());

        var result = await Client(server.BaseUrl, source).QueryAsync(Currency.HKD, "ORD-9");

        Assert.True(result.SignatureVerified);
        Assert.Equal(1, source.RefreshCount);
    }

    [Theory]
    [InlineData("\"0\"", "\"4002\"")]
    [InlineData("0", "4002")]
    public async Task Status_0_is_a_rejection_with_the_provider_code(string status, string error)
    {
        await using var server = await FakeHaiPay.StartAsync(_ =>
            new CannedResponse(200, $$"""{"status":{{status}},"error":{{error}},"msg":"channel code does not exist"}"""));

        var ex = await Assert.ThrowsAsync<HaiPayRejectedException>(() =>
            Client(server.BaseUrl, new StubCredentialSource(Credentials())).ApplyAsync(Currency.HKD, Apply()));

        Assert.Equal("4002", ex.Code);
        Assert.Equal("channel code does not exist", ex.ProviderMessage);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(404)]
    [InlineData(400)]
    public async Task Non_2xx_answers_are_transient_server_errors(int statusCode)
    {
        await using var server = await FakeHaiPay.StartAsync(_ => new CannedResponse(statusCode, """{"status":"1"}"""));

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9"));

        Assert.Equal(TransientReason.ServerError, ex.Reason);
        Assert.Contains(statusCode.ToString(), ex.Message);
    }

    public static TheoryData<string, string, string> MalformedAnswers() => new()
    {
        { "query", "<html>gateway</html>", "not valid JSON" },
        { "query", "", "not valid JSON" },
        { "query", "[]", "not a JSON object" },
        { "query", "{}", "no status" },
        { "query", """{"status":"2"}""", "neither" },
        { "query", """{"status":true}""", "neither" },
        { "query", """{"status":"1"}""", "no data object" },
        { "query", """{"status":"1","data":"text"}""", "no data object" },
        { "query", """{"status":"1","data":{"orderId":"ORD-9","status":2,"nested":{"a":1}}}""", "field 'nested' is an object" },
        { "query", $$"""{"status":"1","data":{{SignedData("""{"orderId":"ORD-9"}""", TestKeys.Platform)}}}""", "data.status is missing" },
        { "query", $$"""{"status":"1","data":{{SignedData("""{"orderId":"ORD-9","status":2,"amount":"1,00"}""", TestKeys.Platform)}}}""", "data.amount '1,00'" },
        { "query", """{"status":"1","data":{"orderId":"ORD-9","status":2,"name":"Tai \ud800 Chan"}}""", "not valid text" },
        { "query", $$"""{"status":"1","data":{{SignedData("""{"orderId":"ORD-8","status":2}""", TestKeys.Platform)}}}""", "not the requested order 'ORD-9'" },
        { "apply", $$"""{"status":"1","data":{{SignedData("""{"orderId":"ORD-1","orderNo":"HP-1"}""", TestKeys.Platform)}}}""", "data.payUrl is missing" },
        { "apply", $$"""{"status":"1","data":{{SignedData("""{"orderNo":"HP-1","payUrl":"https://p"}""", TestKeys.Platform)}}}""", "data.orderId is missing" },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Unusable_answers_are_transient_malformed_responses(string operation, string body, string expected)
    {
        await using var server = await FakeHaiPay.StartAsync(_ => new CannedResponse(200, body));
        var client = Client(server.BaseUrl, new StubCredentialSource(Credentials()));

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() => operation == "apply"
            ? client.ApplyAsync(Currency.HKD, Apply())
            : client.QueryAsync(Currency.HKD, "ORD-9"));

        Assert.Equal(TransientReason.MalformedResponse, ex.Reason);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task Odd_fields_that_do_not_decide_the_status_are_kept_raw_not_refused()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(
            """{"orderId":"ORD-9","orderNo":"HP-9","amount":"10.00","actualAmount":"ten","fee":"0,5","status":"9","payTime":"17/04/2026","currency":"HKD"}"""));

        var result = await Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9");

        Assert.Null(result.Status);
        Assert.Equal("9", result.StatusText);
        Assert.Equal(10.00m, result.Amount);
        Assert.Null(result.ActualAmount);
        Assert.Null(result.Fee);
        Assert.Null(result.PayTime);
        Assert.True(result.IsUnreadable("actualAmount"));
        Assert.True(result.IsUnreadable("fee"));
        Assert.True(result.IsUnreadable("payTime"));
        Assert.True(result.IsUnreadable("status"));
        Assert.False(result.IsUnreadable("errorMsg"));
        Assert.Equal("HKD", result.Currency);
        Assert.Equal("17/04/2026", result.Fields["payTime"]);
        Assert.False(result.Fields.ContainsKey("sign"));
    }

    [Fact]
    public async Task An_answer_slower_than_the_attempt_timeout_is_a_transient_timeout()
    {
        await using var server = await FakeHaiPay.StartAsync(async (_, aborted) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
            return Ok(QueryData);
        });

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            Client(server.BaseUrl, new StubCredentialSource(Credentials()), o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200))
                .QueryAsync(Currency.HKD, "ORD-9"));

        Assert.Equal(TransientReason.Timeout, ex.Reason);
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_connection_error()
    {
        var closedPort = FreePort.Next();

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() =>
            Client(new Uri($"http://127.0.0.1:{closedPort}"), new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9"));

        Assert.Equal(TransientReason.ConnectionError, ex.Reason);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_OperationCanceledException()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await FakeHaiPay.StartAsync(async (_, aborted) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
            return Ok(QueryData);
        });
        using var cancellation = new CancellationTokenSource();
        var call = Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9", cancellationToken: cancellation.Token);

        await arrived.Task;
        await cancellation.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancellation.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task An_already_cancelled_call_sends_nothing()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Client(server.BaseUrl, new StubCredentialSource(Credentials())).QueryAsync(Currency.HKD, "ORD-9", cancellationToken: new CancellationToken(true)));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Signature_options_shape_the_signed_string_and_the_wire_alike()
    {
        var signatureOptions = new SignatureOptions { SkipEmptyValues = false, AppendKey = false };
        await using var server = await FakeHaiPay.StartAsync(_ => Ok("""{"orderId":"ORD-1","orderNo":"HP-1","payUrl":"https://p","note":""}""", options: signatureOptions));
        var request = Apply() with { Subject = "", NotifyUrl = null };

        var result = await Client(server.BaseUrl, new StubCredentialSource(Credentials()), o => { o.SkipEmptyValues = false; o.AppendKey = false; })
            .ApplyAsync(Currency.HKD, request);

        Assert.Equal("HP-1", result.OrderNo);

        var body = JsonNode.Parse(Assert.Single(server.Requests).Body)!.AsObject();
        Assert.Equal("", body["subject"]!.GetValue<string>());
        Assert.False(body.ContainsKey("notifyUrl"));
        const string canonical =
            "amount=100.50&appId=1001&callBackFailUrl=https://merchant.example/failed&callBackUrl=https://merchant.example/paid?o=ORD-1&r=ok" +
            "&email=tai.man@example.com&inBankCode=ALIPAY_HKD&name=Chan Tai Man&orderId=ORD-1" +
            "&partnerUserId=user-42&payType=EWALLET&phone=+852 9123 4567&subject=";
        Assert.True(MerchantSigned(canonical, body["sign"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Logs_endpoint_order_and_outcome_but_no_secrets_signatures_or_customer_contacts()
    {
        var logger = new ListLogger<HaiPayClient>();
        var calls = 0;
        await using var server = await FakeHaiPay.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? Ok(ApplyData)
            : new CannedResponse(200, """{"status":"0","error":"4002","msg":"channel code does not exist"}"""));
        var client = Client(server.BaseUrl, new StubCredentialSource(Credentials()), logger: logger);

        await client.ApplyAsync(Currency.HKD, Apply());
        await Assert.ThrowsAsync<HaiPayRejectedException>(() => client.ApplyAsync(Currency.HKD, Apply()));

        var text = logger.AllText;
        Assert.Contains("hkd/collect/apply", text);
        Assert.Contains("ORD-1", text);
        Assert.Contains("4002", text);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Text.Contains("succeeded") && e.Text.Contains(" ms"));
        var requestSign = JsonNode.Parse(server.Requests.First().Body)!["sign"]!.GetValue<string>();
        foreach (var secret in new[] { Secret, "9123 4567", "tai.man@example.com", requestSign, requestSign[..20] })
        {
            Assert.DoesNotContain(secret, text);
        }
    }

    [Fact]
    public async Task AddHaiPayClient_wires_a_working_client_from_configuration()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(QueryData));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HaiPay:BaseUrl"] = new Uri(server.BaseUrl, "/gateway/").ToString(),
            ["HaiPay:AttemptTimeout"] = "00:00:30",
            ["HaiPay:Credentials:HKD:AppId"] = "1001",
            ["HaiPay:Credentials:HKD:SecretKey"] = Secret,
            ["HaiPay:Credentials:HKD:MerchantPrivateKey"] = RsaKeys.ExportPrivateKeyBase64(TestKeys.Merchant),
            ["HaiPay:PlatformPublicKey"] = RsaKeys.ExportPublicKeyBase64(TestKeys.Platform),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddHaiPayClient(configuration);
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<IHaiPayClient>().QueryAsync(Currency.HKD, "ORD-9");

        Assert.True(result.SignatureVerified);
        Assert.Equal("/gateway/hkd/collect/query", Assert.Single(server.Requests).Path);
        Assert.IsType<ConfiguredCredentialSource>(provider.GetRequiredService<IHaiPayCredentialSource>());
    }
}
