using System.Text.Json;
using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Signing;
using HaiPay.Tests.Support;

namespace HaiPay.Tests.Catalogue;

public class PaymentConfigAnswerTests
{
    private const string Secret = "test-secret";
    private const string Configs =
        """[{"tranType":"EWALLET","payMethods":[{"inBankCode":"ALIPAY_HKD","name":"Alipay HK","limit":{"singleMinAmount":"1.00","singleMaxAmount":5000}}],"feeRate":"0.02","settlement":{"stlMode":"T","stlCycle":"1"},"supportRefund":false}]""";

    private static readonly HaiPaySigner Signer = new();

    [Fact]
    public void A_signed_answer_yields_its_methods_with_decimal_limits()
    {
        var methods = PaymentConfigAnswer.ReadVerified(Signed(Configs), Signer, Secret, TestKeys.PublicOnly(TestKeys.Platform));

        var method = Assert.Single(methods);
        Assert.Equal(new LivePaymentMethod("ALIPAY_HKD", "Alipay HK", 1.00m, 5000m), method);
    }

    [Fact]
    public void A_forged_limit_is_refused()
    {
        var signed = Signed(Configs).GetRawText().Replace("5000", "9000", StringComparison.Ordinal);

        var ex = Assert.Throws<HaiPayTransientException>(() =>
            PaymentConfigAnswer.ReadVerified(Parse(signed), Signer, Secret, TestKeys.PublicOnly(TestKeys.Platform)));
        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
    }

    [Fact]
    public void An_unsigned_answer_is_refused()
    {
        var ex = Assert.Throws<HaiPayTransientException>(() =>
            PaymentConfigAnswer.ReadVerified(Parse($$"""{"appId":1001,"configs":{{Configs}}}"""), Signer, Secret,
                TestKeys.PublicOnly(TestKeys.Platform)));
        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
    }

    [Fact]
    public void An_answer_signed_by_a_stranger_is_refused()
    {
        var ex = Assert.Throws<HaiPayTransientException>(() =>
            PaymentConfigAnswer.ReadVerified(Signed(Configs, TestKeys.Stranger), Signer, Secret, TestKeys.PublicOnly(TestKeys.Platform)));
        Assert.Equal(TransientReason.InvalidSignature, ex.Reason);
    }

    [Fact]
    public void A_signed_answer_with_a_minimum_above_its_maximum_is_malformed()
    {
        var configs = Configs.Replace("\"1.00\"", "\"6000\"", StringComparison.Ordinal);

        var ex = Assert.Throws<HaiPayTransientException>(() =>
            PaymentConfigAnswer.ReadVerified(Signed(configs), Signer, Secret, TestKeys.PublicOnly(TestKeys.Platform)));
        Assert.Equal(TransientReason.MalformedResponse, ex.Reason);
    }

    private static JsonElement Signed(string configs, System.Security.Cryptography.RSA? key = null)
    {
        var unsigned = Parse($$"""{"appId":1001,"configs":{{configs}}}""");
        var sign = Signer.Sign(PaymentConfigAnswer.SignedFields(unsigned), Secret, key ?? TestKeys.Platform);
        return Parse($$"""{"appId":1001,"configs":{{configs}},"sign":{{JsonSerializer.Serialize(sign)}}}""");
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
