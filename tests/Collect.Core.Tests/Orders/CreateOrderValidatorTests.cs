using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Catalogue;
using HaiPay.Validation;

namespace Collect.Core.Tests.Orders;

public sealed class CreateOrderValidatorTests
{
    private static readonly CreateOrderValidator Validator =
        new(new ApplyRequestValidator(PaymentMethodCatalogue.Seed, new HaiPayOptions()));

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
    public void An_order_id_that_cannot_be_a_storage_key_is_invalid(string orderId)
    {
        Assert.Contains("orderId", Validator.Validate(TestOrders.CreateRequest(orderId)).Keys);
    }
}
