using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Catalogue;
using HaiPay.Validation;

namespace Collect.Core.Tests.Orders;

public sealed class CreateOrderValidatorTests
{
    private static readonly CreateOrderValidator Validator =
        new(new ApplyRequestValidator(PaymentMethodCatalogue.Seed, new HaiPayOptions()), ConfiguredOnly());

    /// <summary>The catalogue in force without HaiPay's live list: the configured (seed) one.</summary>
    private static Collect.Core.Catalogue.LiveCatalogue ConfiguredOnly() => new(
        new NoHaiPay(), PaymentMethodCatalogue.Seed,
        Microsoft.Extensions.Options.Options.Create(new Collect.Core.Catalogue.CatalogueOptions { Live = false }),
        TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Collect.Core.Catalogue.LiveCatalogue>.Instance);

    private sealed class NoHaiPay : HaiPay.Client.IHaiPayClient
    {
        public Task<HaiPay.Client.ApplyResult> ApplyAsync(Currency currency, HaiPay.Client.ApplyRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<LivePaymentMethod>> GetPaymentConfigAsync(Currency currency, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<HaiPay.Client.QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    [Fact]
    public void A_valid_request_has_no_errors()
    {
        Assert.Empty(Validator.Validate(TestOrders.CreateRequest()));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_keyed_by_field()
    {
        var request = TestOrders.CreateRequest() with
        {
            Currency = "EUR",
            Amount = "12,50",
            Name = "Madonna",
            Email = "not-an-email",
            CallBackUrl = "/relative",
        };

        var errors = Validator.Validate(request);

        Assert.Equal(["amount", "callBackUrl", "currency", "email", "name"], errors.Keys.Order().ToArray());
    }

    [Fact]
    public void Missing_fields_are_required()
    {
        var errors = Validator.Validate(new CreateOrderRequest());

        foreach (var field in new[] { "orderId", "currency", "amount", "payType", "inBankCode", "name", "phone", "email",
                     "partnerUserId", "callBackUrl", "callBackFailUrl" })
        {
            Assert.True(errors.ContainsKey(field), field);
        }
        Assert.False(errors.ContainsKey("subject"));
        Assert.False(errors.ContainsKey("notifyUrl"));
    }

    [Theory]
    [InlineData("HKD", "ALIPAY_HKD", "EWALLET", "5000.01")]
    [InlineData("HKD", "WXPAY_SCANCODE", "EWALLET", "1000.01")]
    [InlineData("USD", "ALIPAY_USD", "BANK_TRANSFER", "0.98")]
    [InlineData("USD", "PAYME_USD", "BANK_TRANSFER", "10.00")]
    public void Amounts_outside_the_currency_or_method_limit_and_methods_under_maintenance_are_invalid(
        string currency, string inBankCode, string payType, string amount)
    {
        var errors = Validator.Validate(TestOrders.CreateRequest(amount: amount) with
        {
            Currency = currency, InBankCode = inBankCode, PayType = payType,
        });

        Assert.True(errors.ContainsKey("amount") || errors.ContainsKey("inBankCode"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-leading")]
    [InlineData("ORD 1")]
    [InlineData("ORD\u202E1")]
    [InlineData("ORD\u200B1")]
    [InlineData("ORD\u00E91")]
    [InlineData("ORD\U0001F600")]
    [InlineData("ORD:1")]
    [InlineData("ORD%2F1")]
    [InlineData("ORD\t1")]
    public void An_order_id_outside_the_documented_set_is_invalid(string orderId)
    {
        var errors = Validator.Validate(TestOrders.CreateRequest(orderId));

        Assert.Contains(errors["orderId"], e => e.Contains("A–Z, a–z, 0–9"));
    }

    [Theory]
    [InlineData("ORD-2026-0001")]
    [InlineData("a")]
    [InlineData("order_42.retry~2")]
    [InlineData("0123456789012345678901234567890123456789012345AB")]
    public void Order_ids_in_the_documented_set_are_valid(string orderId)
    {
        Assert.DoesNotContain("orderId", Validator.Validate(TestOrders.CreateRequest(orderId)).Keys);
    }

    [Fact]
    public void Every_field_has_a_maximum_length()
    {
        var huge = new string('x', 40_000);
        var request = TestOrders.CreateRequest() with
        {
            Name = "Chan " + huge, PartnerUserId = huge, CallBackUrl = "https://shop.example.com/" + huge,
            CallBackFailUrl = "https://shop.example.com/" + huge, Subject = huge, Body = huge, Email = huge + "@example.com",
        };

        var errors = Validator.Validate(request);

        foreach (var field in new[] { "name", "partnerUserId", "callBackUrl", "callBackFailUrl", "subject", "body", "email" })
        {
            Assert.Contains(errors[field], e => e.Contains($"at most {CreateOrderRequest.MaxLengths[field]} characters"));
        }
        Assert.Equal(CreateOrderRequest.FieldNames.Order(), CreateOrderRequest.MaxLengths.Keys.Order());
    }

    [Fact]
    public void Control_characters_are_refused_in_every_field()
    {
        var errors = Validator.Validate(TestOrders.CreateRequest() with { Name = "Chan\nTai Man", Subject = "a\u0000b" });

        Assert.Contains(errors["name"], e => e.Contains("control characters"));
        Assert.Contains(errors["subject"], e => e.Contains("control characters"));
    }
}
