using HaiPay.Callbacks;
using HaiPay.Signing;
using HaiPay.Tests.Support;

namespace HaiPay.Tests.Callbacks;

public class CallbackParserTests
{
    [Fact]
    public void Parses_json_keeping_numbers_literal_booleans_and_nulls()
    {
        var fields = CallbackParser.Parse(
            """{"appId":1001,"orderId":"ORD-1","amount":100.50,"fee":1.0E1,"status":2,"test":true,"live":false,"errorMsg":null,"sign":"abc"}""",
            "application/json; charset=utf-8");

        Assert.Equal("1001", fields["appId"]);
        Assert.Equal("100.50", fields["amount"]);
        Assert.Equal("1.0E1", fields["fee"]);
        Assert.Equal("2", fields["status"]);
        Assert.Equal("true", fields["test"]);
        Assert.Equal("false", fields["live"]);
        Assert.True(fields.ContainsKey("errorMsg"));
        Assert.Null(fields["errorMsg"]);
        Assert.Equal("abc", fields["sign"]);
    }

    [Fact]
    public void Decodes_json_string_escapes()
    {
        var fields = CallbackParser.Parse("""{"orderId":"A\u0026B","errorMsg":"line\nbreak \"quoted\" 失敗"}""", "application/json");

        Assert.Equal("A&B", fields["orderId"]);
        Assert.Equal("line\nbreak \"quoted\" 失敗", fields["errorMsg"]);
    }

    [Fact]
    public void Keeps_field_names_exactly_and_case_sensitively()
    {
        var fields = CallbackParser.Parse("""{"status":"2","Status":"3","newField_v2":"x"}""", "application/json");

        Assert.Equal(3, fields.Count);
        Assert.Equal("2", fields["status"]);
        Assert.Equal("3", fields["Status"]);
        Assert.False(fields.ContainsKey("STATUS"));
    }

    [Fact]
    public void Parses_form_encoded_bodies_decoding_plus_and_percent_sequences()
    {
        var fields = CallbackParser.Parse(
            "appId=1001&orderId=ORD%2D1&errorMsg=card+declined%3A+%E5%A4%B1%E6%95%97&amount=100.50&empty=&url=https%3A%2F%2Fm.hk%2F%3Fa%3D1%26b%3D2",
            "application/x-www-form-urlencoded");

        Assert.Equal("1001", fields["appId"]);
        Assert.Equal("ORD-1", fields["orderId"]);
        Assert.Equal("card declined: 失敗", fields["errorMsg"]);
        Assert.Equal("100.50", fields["amount"]);
        Assert.Equal("", fields["empty"]);
        Assert.Equal("https://m.hk/?a=1&b=2", fields["url"]);
    }

    [Fact]
    public void Form_values_may_contain_equals_signs()
    {
        var fields = CallbackParser.Parse("sign=abc+def==&orderId=1", "application/x-www-form-urlencoded; charset=UTF-8");

        Assert.Equal("abc def==", fields["sign"]);
    }

    [Theory]
    [InlineData("""{"orderId":"1"}""", "1")]
    [InlineData("""  {"orderId":"2"}""", "2")]
    [InlineData("\uFEFF{\"orderId\":\"3\"}", "3")]
    [InlineData("orderId=4&status=2", "4")]
    public void Sniffs_the_format_when_there_is_no_content_type(string body, string orderId)
    {
        Assert.Equal(orderId, CallbackParser.Parse(body, null)["orderId"]);
        Assert.Equal(orderId, CallbackParser.Parse(body, "")["orderId"]);
    }

    [Fact]
    public void Accepts_json_media_types_with_a_suffix_and_any_case()
    {
        Assert.Equal("1", CallbackParser.Parse("""{"orderId":"1"}""", "Application/JSON")["orderId"]);
        Assert.Equal("1", CallbackParser.Parse("""{"orderId":"1"}""", "application/vnd.haipay+json")["orderId"]);
    }

    [Theory]
    [InlineData("", null, "empty")]
    [InlineData("   \r\n", "application/json", "empty")]
    [InlineData("""{"orderId":"1",}""", "application/json", "not valid JSON")]
    [InlineData("""{"orderId":"1""", null, "not valid JSON")]
    [InlineData("""["orderId"]""", "application/json", "expected a JSON object, got an array")]
    [InlineData("\"text\"", "application/json", "expected a JSON object, got a string")]
    [InlineData("""{"orderId":"1","extra":{"a":1}}""", "application/json", "field 'extra' is an object")]
    [InlineData("""{"orderId":"1","list":[1,2]}""", "application/json", "field 'list' is an array")]
    [InlineData("""{"orderId":"1","orderId":"2"}""", "application/json", "field 'orderId' appears more than once")]
    [InlineData("""{"orderId":"1","name":"Tai \ud800 Chan"}""", "application/json", "field 'name' is not valid text")]
    [InlineData("orderId=1&orderId=2", null, "field 'orderId' more than once")]
    [InlineData("orderId=1&status", "application/x-www-form-urlencoded", "field with no '='")]
    [InlineData("=1&status=2", "application/x-www-form-urlencoded", "value with no field name")]
    [InlineData("&&&", "application/x-www-form-urlencoded", "no fields")]
    [InlineData("""{"orderId":"1"}""", "application/x-www-form-urlencoded", "field with no '='")]
    [InlineData("orderId=1", "text/xml", "not supported")]
    [InlineData("orderId=1", "not a media type", "not a valid media type")]
    public void Malformed_bodies_throw_CallbackFormatException(string body, string? contentType, string expected)
    {
        var ex = Assert.Throws<CallbackFormatException>(() => CallbackParser.Parse(body, contentType));

        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-www-form-urlencoded")]
    public void Unknown_fields_are_kept_and_covered_by_verification(string contentType)
    {
        var sent = new Dictionary<string, string?>
        {
            ["appId"] = "1001",
            ["orderId"] = "ORD-1",
            ["amount"] = "100.50",
            ["status"] = "2",
            ["fieldHaiPayAddsLater"] = "surprise",
        };
        var signer = new HaiPaySigner();
        sent["sign"] = signer.Sign(sent, "k", TestKeys.Platform);

        var received = CallbackParser.Parse(Encode(sent, contentType), contentType);

        Assert.Equal("surprise", received["fieldHaiPayAddsLater"]);
        Assert.True(signer.VerifySigned(received, "k", TestKeys.Platform));

        var tampered = new Dictionary<string, string?>(sent) { ["fieldHaiPayAddsLater"] = "changed" };
        Assert.False(signer.VerifySigned(CallbackParser.Parse(Encode(tampered, contentType), contentType), "k", TestKeys.Platform));
    }

    [Fact]
    public void A_json_number_verifies_as_the_literal_HaiPay_signed()
    {
        var signer = new HaiPaySigner();
        var sign = signer.Sign(new Dictionary<string, string?> { ["amount"] = "100.50", ["status"] = "2" }, "k", TestKeys.Platform);

        var received = CallbackParser.Parse($$"""{"amount":100.50,"status":2,"sign":"{{sign}}"}""", "application/json");

        Assert.True(signer.VerifySigned(received, "k", TestKeys.Platform));
    }

    private static string Encode(Dictionary<string, string?> fields, string contentType) =>
        contentType == "application/json"
            ? System.Text.Json.JsonSerializer.Serialize(fields)
            : string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value ?? "")}"));
}
