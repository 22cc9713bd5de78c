using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Signing;
using HaiPay.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HaiPay.Tests.Client;

public sealed class PaymentConfigClientTests : IDisposable
{
    private const string Secret = "hkd-secret";
    private const string Data =
        """{"appId":1001,"configs":[{"tranType":"EWALLET","payMethods":[{"inBankCode":"ALIPAY_HKD","name":"Alipay HK","limit":{"singleMinAmount":1,"singleMaxAmount":"5000.00"}}],"feeRate":"0.02","supportRefund":false}]}""";

    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_signed_config_answer_yields_the_live_methods_and_the_request_is_signed()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(SignedData(Data, TestKeys.Platform)));

        var methods = await Client(server.BaseUrl).GetPaymentConfigAsync(Currency.HKD);

        Assert.Equal([new LivePaymentMethod("ALIPAY_HKD", "Alipay HK", 1m, 5000m)], methods);
        var request = Assert.Single(server.Requests);
        Assert.EndsWith("/common/payment/config", request.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var fields = body.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value!.ToString())).ToList();
        Assert.True(new HaiPaySigner().Verify(fields, body["sign"]!.GetValue<string>(), Secret, TestKeys.PublicOnly(TestKeys.Merchant)));
    }

    [Fact]
    public async Task An_unsigned_config_answer_is_refused_as_an_invalid_signature()
    {
        await using var server = await FakeHaiPay.StartAsync(_ => Ok(Data));

        var ex = await Assert.ThrowsAsync<HaiPayTransientException>(() => Client(server.BaseUrl).GetPaymentConfigAsync(Currency.HKD));

        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
    }

    [Fact]
    public async Task A_status_0_config_answer_is_a_rejection()
    {
        await using var server = await FakeHaiPay.StartAsync(_ =>
            new CannedResponse(200, """{"status":"0","error":"30000001","msg":"appId unknown"}"""));

        var ex = await Assert.ThrowsAsync<HaiPayRejectedException>(() => Client(server.BaseUrl).GetPaymentConfigAsync(Currency.HKD));

        Assert.Equal("30000001", ex.Code);
    }

    private HaiPayClient Client(Uri baseUrl) =>
        new(_http, new StubCredentialSource(new HaiPayCredentials(1001, Secret, TestKeys.Merchant, TestKeys.PublicOnly(TestKeys.Platform))),
            Options.Create(new HaiPayOptions { BaseUrl = baseUrl, AttemptTimeout = TimeSpan.FromSeconds(30) }),
            NullLogger<HaiPayClient>.Instance);

    private static string SignedData(string dataJson, RSA key)
    {
        var data = JsonDocument.Parse(dataJson).RootElement;
        var sign = new HaiPaySigner().Sign(PaymentConfigAnswer.SignedFields(data), Secret, key);
        return dataJson[..^1] + $",\"sign\":{JsonSerializer.Serialize(sign)}}}";
    }

    private static CannedResponse Ok(string dataJson) =>
        new(200, $$"""{"status":"1","error":"00000000","msg":"","data":{{dataJson}}}""");
}
