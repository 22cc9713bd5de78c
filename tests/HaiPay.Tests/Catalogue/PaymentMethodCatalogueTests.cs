using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HaiPay.Tests.Catalogue;

public class PaymentMethodCatalogueTests
{
    [Fact]
    public void The_seed_catalogue_is_the_April_2026_table()
    {
        var rows = PaymentMethodCatalogue.Seed.Methods
            .Select(m => $"{m.Currency} {m.PayType} {m.InBankCode} {m.Min}-{m.Max} {m.State}")
            .ToArray();

        Assert.Equal(
        [
            "HKD EWALLET WXPAY_SCANCODE 1-1000 Available",
            "HKD EWALLET ALIPAY_HKD 1-5000 Available",
            "USD EWALLET HK_WXPAY_SCANCODE_USD 0.99-120 Available",
            "USD BANK_TRANSFER ALIPAY_USD 0.99-499.99 Available",
            "USD BANK_TRANSFER PAYME_USD 1-1000 Maintenance",
        ], rows);
    }

    [Fact]
    public void Find_matches_currency_and_exact_code()
    {
        Assert.Equal("AlipayHK", PaymentMethodCatalogue.Seed.Find(Currency.USD, "ALIPAY_USD")?.Description);
        Assert.Null(PaymentMethodCatalogue.Seed.Find(Currency.HKD, "ALIPAY_USD"));
        Assert.Null(PaymentMethodCatalogue.Seed.Find(Currency.USD, "alipay_usd"));
        Assert.Null(PaymentMethodCatalogue.Seed.Find(Currency.USD, null));
    }

    [Fact]
    public void Options_without_methods_give_the_seed()
    {
        Assert.Same(PaymentMethodCatalogue.Seed, PaymentMethodCatalogue.FromOptions(new HaiPayOptions()));
    }

    [Fact]
    public void Configured_methods_replace_the_seed_and_drive_the_validator()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HaiPay:PaymentMethods:0:Currency"] = "usd",
            ["HaiPay:PaymentMethods:0:PayType"] = "BANK_TRANSFER",
            ["HaiPay:PaymentMethods:0:InBankCode"] = "PAYME_USD",
            ["HaiPay:PaymentMethods:0:Min"] = "1",
            ["HaiPay:PaymentMethods:0:Max"] = "300.50",
            ["HaiPay:PaymentMethods:0:Status"] = "available",
            ["HaiPay:PaymentMethods:1:Currency"] = "HKD",
            ["HaiPay:PaymentMethods:1:PayType"] = "EWALLET",
            ["HaiPay:PaymentMethods:1:InBankCode"] = "FPS_HKD",
            ["HaiPay:PaymentMethods:1:Min"] = "10",
            ["HaiPay:PaymentMethods:1:Max"] = "200",
        }).Build();
        var services = new ServiceCollection();
        services.AddHaiPayClient(configuration);
        using var provider = services.BuildServiceProvider();

        var catalogue = provider.GetRequiredService<PaymentMethodCatalogue>();
        var validator = provider.GetRequiredService<ApplyRequestValidator>();

        Assert.Equal(["PAYME_USD", "FPS_HKD"], catalogue.Methods.Select(m => m.InBankCode));
        Assert.Equal(PaymentMethodState.Available, catalogue.Find(Currency.USD, "PAYME_USD")!.State);
        Assert.Equal("FPS_HKD", catalogue.Find(Currency.HKD, "FPS_HKD")!.Description);
        Assert.Null(catalogue.Find(Currency.HKD, "ALIPAY_HKD"));

        Assert.Empty(validator.Validate(Currency.USD, Request("PAYME_USD", "BANK_TRANSFER", "300.50")));
        Assert.Equal(["amount 300.51 is above the PAYME_USD limit 300.50"],
            validator.Validate(Currency.USD, Request("PAYME_USD", "BANK_TRANSFER", "300.51"))["amount"]);
        Assert.Equal(["amount 9.99 is below the FPS_HKD minimum 10.00"],
            validator.Validate(Currency.HKD, Request("FPS_HKD", "EWALLET", "9.99"))["amount"]);
        Assert.Contains("inBankCode", validator.Validate(Currency.HKD, Request("ALIPAY_HKD", "EWALLET", "10")).Keys);
    }

    [Theory]
    [InlineData("EUR", "Available", 1, 10, "unknown currency 'EUR' for X")]
    [InlineData("HKD", "Retired", 1, 10, "unknown status 'Retired' for X")]
    [InlineData("HKD", "Available", 0, 10, "invalid limits 0–10 for X")]
    [InlineData("HKD", "Available", 20, 10, "invalid limits 20–10 for X")]
    public void Invalid_configured_methods_are_refused(string currency, string status, decimal min, decimal max, string message)
    {
        var options = new HaiPayOptions
        {
            PaymentMethods = [new PaymentMethodOptions { Currency = currency, PayType = "EWALLET", InBankCode = "X", Min = min, Max = max, Status = status }],
        };

        var ex = Assert.Throws<InvalidOperationException>(() => PaymentMethodCatalogue.FromOptions(options));

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Currency_limits_follow_the_seed()
    {
        Assert.Equal((1m, 5000m), PaymentMethodCatalogue.CurrencyLimit(Currency.HKD));
        Assert.Equal((0.99m, 499.99m), PaymentMethodCatalogue.CurrencyLimit(Currency.USD));
    }

    private static ApplyRequest Request(string inBankCode, string payType, string amount) =>
        Validation.ApplyRequestValidatorTests.Valid(inBankCode, payType, amount);
}
