using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Validation;

namespace HaiPay.Tests.Validation;

public class ApplyRequestValidatorTests
{
    private readonly ApplyRequestValidator _validator = new(PaymentMethodCatalogue.Seed, new HaiPayOptions());

    internal static ApplyRequest Valid(string inBankCode = "ALIPAY_HKD", string payType = "EWALLET", string amount = "100.00") => new()
    {
        OrderId = "ORD-2026-0001",
        Amount = amount,
        PayType = payType,
        InBankCode = inBankCode,
        Name = "Chan Tai Man",
        Phone = "+852 9123 4567",
        Email = "tai.man@example.com",
        PartnerUserId = "user-42",
        CallBackUrl = "https://merchant.example/paid",
        CallBackFailUrl = "https://merchant.example/failed",
        NotifyUrl = "https://merchant.example/notify",
        Subject = "Order 1",
        Body = "One widget",
    };

    private static Currency CurrencyOf(string inBankCode) => PaymentMethodCatalogue.Seed.Methods.Single(m => m.InBankCode == inBankCode).Currency;

    private static string PayTypeOf(string inBankCode) => PaymentMethodCatalogue.Seed.Methods.Single(m => m.InBankCode == inBankCode).PayType;

    [Fact]
    public void A_valid_request_has_no_errors()
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid()));
    }

    [Fact]
    public void Optional_fields_may_be_absent()
    {
        var request = Valid() with { NotifyUrl = null, Subject = null, Body = null };

        Assert.Empty(_validator.Validate(Currency.HKD, request));
    }

    [Theory]
    [InlineData("WXPAY_SCANCODE", "1")]
    [InlineData("WXPAY_SCANCODE", "1.00")]
    [InlineData("WXPAY_SCANCODE", "500.5")]
    [InlineData("WXPAY_SCANCODE", "1000")]
    [InlineData("ALIPAY_HKD", "1.00")]
    [InlineData("ALIPAY_HKD", "5000.00")]
    [InlineData("HK_WXPAY_SCANCODE_USD", "0.99")]
    [InlineData("HK_WXPAY_SCANCODE_USD", "120.00")]
    [InlineData("ALIPAY_USD", "0.99")]
    [InlineData("ALIPAY_USD", "499.99")]
    public void Accepts_amounts_in_and_at_the_limits_of_every_available_seed_method(string inBankCode, string amount)
    {
        var request = Valid(inBankCode, PayTypeOf(inBankCode), amount);

        Assert.Empty(_validator.Validate(CurrencyOf(inBankCode), request));
    }

    [Theory]
    [InlineData("WXPAY_SCANCODE", "0.99", "amount 0.99 is below the HKD minimum 1.00", "amount 0.99 is below the WXPAY_SCANCODE minimum 1.00")]
    [InlineData("WXPAY_SCANCODE", "1000.01", "amount 1000.01 is above the WXPAY_SCANCODE limit 1000.00", null)]
    [InlineData("ALIPAY_HKD", "0.99", "amount 0.99 is below the HKD minimum 1.00", "amount 0.99 is below the ALIPAY_HKD minimum 1.00")]
    [InlineData("ALIPAY_HKD", "5000.01", "amount 5000.01 is above the HKD limit 5000.00", "amount 5000.01 is above the ALIPAY_HKD limit 5000.00")]
    [InlineData("HK_WXPAY_SCANCODE_USD", "0.98", "amount 0.98 is below the USD minimum 0.99", "amount 0.98 is below the HK_WXPAY_SCANCODE_USD minimum 0.99")]
    [InlineData("HK_WXPAY_SCANCODE_USD", "120.01", "amount 120.01 is above the HK_WXPAY_SCANCODE_USD limit 120.00", null)]
    [InlineData("ALIPAY_USD", "0.98", "amount 0.98 is below the USD minimum 0.99", "amount 0.98 is below the ALIPAY_USD minimum 0.99")]
    [InlineData("ALIPAY_USD", "500", "amount 500 is above the USD limit 499.99", "amount 500 is above the ALIPAY_USD limit 499.99")]
    public void Rejects_amounts_just_outside_every_seed_method_limit(string inBankCode, string amount, string first, string? second)
    {
        var errors = _validator.Validate(CurrencyOf(inBankCode), Valid(inBankCode, PayTypeOf(inBankCode), amount));

        Assert.Equal(["amount"], errors.Keys);
        Assert.Equal(second is null ? [first] : new[] { first, second }, errors["amount"]);
    }

    [Fact]
    public void Enforces_the_currency_limit_even_when_a_method_allows_more()
    {
        var catalogue = new PaymentMethodCatalogue([new PaymentMethod(Currency.HKD, "EWALLET", "BIG_HKD", 0.5m, 9000m, PaymentMethodState.Available, "Big")]);
        var validator = new ApplyRequestValidator(catalogue, new HaiPayOptions());

        Assert.Equal(["amount 6000 is above the HKD limit 5000.00"], validator.Validate(Currency.HKD, Valid("BIG_HKD", amount: "6000"))["amount"]);
        Assert.Equal(["amount 0.50 is below the HKD minimum 1.00"], validator.Validate(Currency.HKD, Valid("BIG_HKD", amount: "0.50"))["amount"]);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("250")]
    [InlineData("499.99")]
    public void PAYME_USD_is_under_maintenance_and_accepts_nothing(string amount)
    {
        var errors = _validator.Validate(Currency.USD, Valid("PAYME_USD", "BANK_TRANSFER", amount));

        Assert.Equal(["inBankCode"], errors.Keys);
        Assert.Equal(["PAYME_USD is under maintenance"], errors["inBankCode"]);
    }

    [Fact]
    public void A_method_of_the_other_currency_is_named_as_such()
    {
        var errors = _validator.Validate(Currency.USD, Valid("ALIPAY_HKD", "EWALLET", "10"));

        Assert.Equal(["inBankCode"], errors.Keys);
        Assert.StartsWith("inBankCode ALIPAY_HKD is not a USD method", Assert.Single(errors["inBankCode"]));
    }

    [Fact]
    public void An_unknown_method_lists_the_known_ones()
    {
        var errors = _validator.Validate(Currency.HKD, Valid("FPS", "EWALLET"));

        Assert.Equal(["inBankCode FPS is not a known HKD method (WXPAY_SCANCODE, ALIPAY_HKD)"], errors["inBankCode"]);
    }

    [Fact]
    public void InBankCode_is_case_sensitive()
    {
        Assert.Contains("inBankCode", _validator.Validate(Currency.HKD, Valid("alipay_hkd")).Keys);
    }

    [Fact]
    public void PayType_must_match_the_method()
    {
        var errors = _validator.Validate(Currency.USD, Valid("ALIPAY_USD", "EWALLET", "10"));

        Assert.Equal(["payType EWALLET does not match ALIPAY_USD (BANK_TRANSFER)"], errors["payType"]);
        Assert.Equal(["payType"], errors.Keys);
    }

    [Fact]
    public void PayType_must_be_known_for_the_currency_when_the_method_is_unknown()
    {
        var errors = _validator.Validate(Currency.HKD, Valid("FPS", "CARD"));

        Assert.Equal(["payType CARD is not a HKD payType (EWALLET)"], errors["payType"]);
    }

    [Theory]
    [InlineData("1,000")]
    [InlineData("10.005")]
    [InlineData("-5")]
    [InlineData("+5")]
    [InlineData("1e3")]
    [InlineData(" 10")]
    [InlineData("10 ")]
    [InlineData("10.")]
    [InlineData(".5")]
    [InlineData("10\n")]
    [InlineData("١٠")]
    [InlineData("ten")]
    public void Rejects_malformed_amounts(string amount)
    {
        var errors = _validator.Validate(Currency.HKD, Valid(amount: amount));

        Assert.Equal(["amount"], errors.Keys);
        Assert.Contains("must be digits with up to 2 decimals", Assert.Single(errors["amount"]));
    }

    [Fact]
    public void Rejects_an_amount_too_large_for_decimal()
    {
        var errors = _validator.Validate(Currency.HKD, Valid(amount: new string('9', 40)));

        Assert.EndsWith("is too large", Assert.Single(errors["amount"]));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("ORDER-0123456789-0123456789-0123456789-01234567")]
    public void Accepts_order_ids_of_1_to_48_characters(string orderId)
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { OrderId = orderId }));
    }

    [Fact]
    public void Rejects_an_order_id_of_49_characters()
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { OrderId = new string('A', 49) });

        Assert.Equal(["orderId is 49 characters long; at most 48 are allowed"], errors["orderId"]);
    }

    [Theory]
    [InlineData("Chan Tai Man")]
    [InlineData("Donald John Trump")]
    [InlineData("Li  Na")]
    public void Accepts_names_with_at_least_two_parts(string name)
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { Name = name }));
    }

    [Theory]
    [InlineData("Madonna")]
    [InlineData(" Madonna ")]
    [InlineData("Chan\tTaiMan")]
    public void Rejects_single_part_names(string name)
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { Name = name });

        Assert.Equal(["name must be a first and last name separated by a space, e.g. 'Chan Tai Man'"], errors["name"]);
    }

    [Theory]
    [InlineData("91234567")]
    [InlineData("9123 4567")]
    [InlineData("9123-4567")]
    [InlineData("+85291234567")]
    [InlineData("+852 9123 4567")]
    [InlineData("852-9123-4567")]
    public void Accepts_hong_kong_phone_numbers(string phone)
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { Phone = phone }));
    }

    [Theory]
    [InlineData("1234567")]
    [InlineData("123456789")]
    [InlineData("+86 138 0013 8000")]
    [InlineData("91234567\n")]
    [InlineData("٩١٢٣٤٥٦٧")]
    [InlineData("phone")]
    public void Rejects_other_phone_numbers_without_repeating_them(string phone)
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { Phone = phone });

        var message = Assert.Single(errors["phone"]);
        Assert.Equal("phone must be a Hong Kong number: 8 digits, optionally prefixed with +852 or 852", message);
    }

    [Fact]
    public void Uses_the_configured_phone_pattern()
    {
        var validator = new ApplyRequestValidator(PaymentMethodCatalogue.Seed, new HaiPayOptions { PhonePattern = @"^\+86[0-9]{11}$" });

        Assert.Empty(validator.Validate(Currency.HKD, Valid() with { Phone = "+8613800138000" }));
        Assert.Equal([@"phone does not match the accepted pattern ^\+86[0-9]{11}$"],
            validator.Validate(Currency.HKD, Valid() with { Phone = "91234567" })["phone"]);
    }

    [Fact]
    public void An_invalid_phone_pattern_fails_at_construction()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new ApplyRequestValidator(PaymentMethodCatalogue.Seed, new HaiPayOptions { PhonePattern = "([0-9]" }));

        Assert.Contains("HaiPay:PhonePattern", ex.Message);
    }

    [Theory]
    [InlineData("a@b.hk")]
    [InlineData("tai.man+shop@mail.example.com")]
    [InlineData("o'neil@example.co.uk")]
    public void Accepts_valid_email_addresses(string email)
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { Email = email }));
    }

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("a@b")]
    [InlineData("a@@b.com")]
    [InlineData("a@b@c.com")]
    [InlineData("a b@c.com")]
    [InlineData("a@c.com ")]
    [InlineData("Tai Man <a@c.com>")]
    [InlineData("@example.com")]
    [InlineData("a@.example.com")]
    [InlineData("a@example.com.")]
    [InlineData("a@example..com")]
    public void Rejects_invalid_email_addresses_without_repeating_them(string email)
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { Email = email });

        Assert.Equal(["email is not a valid email address"], errors["email"]);
    }

    [Fact]
    public void Rejects_an_overlong_email_address()
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { Email = new string('a', 250) + "@b.hk" });

        Assert.Equal(["email is longer than 254 characters"], errors["email"]);
    }

    [Theory]
    [InlineData("user-1")]
    [InlineData("A1-~!@#$%&*()_")]
    public void Accepts_partner_user_ids_of_the_allowed_characters(string partnerUserId)
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { PartnerUserId = partnerUserId }));
    }

    [Theory]
    [InlineData("user 1")]
    [InlineData("user+1")]
    [InlineData("user.1")]
    [InlineData("用戶")]
    [InlineData("user1\n")]
    public void Rejects_partner_user_ids_with_other_characters(string partnerUserId)
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { PartnerUserId = partnerUserId });

        Assert.Equal(["partnerUserId may contain only letters, digits and -~!@#$%&*()_"], errors["partnerUserId"]);
    }

    [Theory]
    [InlineData("/relative/path")]
    [InlineData("merchant.example/paid")]
    [InlineData("ftp://merchant.example/paid")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://merchant example/paid")]
    public void Rejects_urls_that_are_not_absolute_http_or_https(string url)
    {
        var errors = _validator.Validate(Currency.HKD, Valid() with { CallBackUrl = url, CallBackFailUrl = url, NotifyUrl = url });

        Assert.Equal(["callBackUrl must be an absolute http or https URL"], errors["callBackUrl"]);
        Assert.Equal(["callBackFailUrl must be an absolute http or https URL"], errors["callBackFailUrl"]);
        Assert.Equal(["notifyUrl must be an absolute http or https URL"], errors["notifyUrl"]);
    }

    [Fact]
    public void Accepts_http_urls_with_ports_and_queries()
    {
        var request = Valid() with { CallBackUrl = "http://127.0.0.1:8080/ok?o=1&x=y", NotifyUrl = "https://m.example/n" };

        Assert.Empty(_validator.Validate(Currency.HKD, request));
    }

    [Fact]
    public void Subject_and_body_have_maximum_lengths()
    {
        Assert.Empty(_validator.Validate(Currency.HKD, Valid() with { Subject = new string('s', 256), Body = new string('b', 1024) }));

        var errors = _validator.Validate(Currency.HKD, Valid() with { Subject = new string('s', 257), Body = new string('b', 1025) });

        Assert.Equal(["subject is 257 characters long; at most 256 are allowed"], errors["subject"]);
        Assert.Equal(["body is 1025 characters long; at most 1024 are allowed"], errors["body"]);
    }

    [Fact]
    public void Missing_required_fields_are_each_reported_as_required()
    {
        var request = new ApplyRequest
        {
            OrderId = "",
            Amount = "",
            PayType = "",
            InBankCode = "",
            Name = " ",
            Phone = "",
            Email = "",
            PartnerUserId = "",
            CallBackUrl = "",
            CallBackFailUrl = null!,
        };

        var errors = _validator.Validate(Currency.HKD, request);

        string[] required = ["orderId", "amount", "payType", "inBankCode", "name", "phone", "email", "partnerUserId", "callBackUrl", "callBackFailUrl"];
        Assert.Equal(required.Order(StringComparer.Ordinal), errors.Keys.Order(StringComparer.Ordinal));
        foreach (var field in required)
        {
            Assert.Equal([$"{field} is required"], errors[field]);
        }
    }

    [Fact]
    public void Returns_every_problem_at_once()
    {
        var request = new ApplyRequest
        {
            OrderId = new string('x', 60),
            Amount = "9999.999",
            PayType = "EWALLET",
            InBankCode = "ALIPAY_USD",
            Name = "Cher",
            Phone = "12",
            Email = "nope",
            PartnerUserId = "a b",
            CallBackUrl = "/ok",
            CallBackFailUrl = "/fail",
            NotifyUrl = "notify",
            Subject = new string('s', 300),
            Body = new string('b', 2000),
        };

        var errors = _validator.Validate(Currency.USD, request);

        Assert.Equal(
            new[] { "amount", "body", "callBackFailUrl", "callBackUrl", "email", "name", "notifyUrl", "orderId", "partnerUserId", "payType", "phone", "subject" },
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["payType EWALLET does not match ALIPAY_USD (BANK_TRANSFER)"], errors["payType"]);
    }
}
