using System.Net.Mail;
using System.Text.RegularExpressions;
using HaiPay.Catalogue;
using HaiPay.Client;

namespace HaiPay.Validation;

/// <summary>
/// HaiPay's field rules for an apply (seed + haipay-protocol.md "Field rules"), all checked at once.
/// Returns every problem, keyed by HaiPay's field name (orderId, amount, payType, inBankCode, name, phone, email,
/// partnerUserId, callBackUrl, callBackFailUrl, notifyUrl, subject, body); an empty map means valid.
/// Includes: amount format, currency limit, method limit, method unknown for the currency, method under maintenance,
/// payType not matching the method.
/// </summary>
/// <remarks>
/// Limits this product sets where HaiPay publishes none: subject at most <see cref="SubjectMaxLength"/> characters,
/// body at most <see cref="BodyMaxLength"/>, email at most <see cref="EmailMaxLength"/>. Messages never repeat the
/// customer's phone number or email address.
/// </remarks>
public sealed partial class ApplyRequestValidator(PaymentMethodCatalogue catalogue, HaiPayOptions options)
{
    public const int OrderIdMaxLength = 48;
    public const int SubjectMaxLength = 256;
    public const int BodyMaxLength = 1024;
    public const int EmailMaxLength = 254;

    private readonly Regex _phone = CreatePhonePattern(options.PhonePattern);

    /// <summary>Validates against the catalogue this validator was built with.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(Currency currency, ApplyRequest request) =>
        Validate(currency, request, catalogue);

    /// <summary>Validates against <paramref name="methods"/>, e.g. the catalogue in force from HaiPay's live list.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(Currency currency, ApplyRequest request, PaymentMethodCatalogue methods)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(methods);
        var errors = new Errors();

        if (Required(errors, "orderId", request.OrderId) && request.OrderId.Length > OrderIdMaxLength)
        {
            errors.Add("orderId", $"orderId is {request.OrderId.Length} characters long; at most {OrderIdMaxLength} are allowed");
        }

        var method = CheckMethod(errors, methods, currency, request);
        CheckAmount(errors, currency, request.Amount, method);

        if (Required(errors, "name", request.Name) &&
            request.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length < 2)
        {
            errors.Add("name", "name must be a first and last name separated by a space, e.g. 'Chan Tai Man'");
        }
        if (Required(errors, "phone", request.Phone) && !IsWholeMatch(_phone, request.Phone))
        {
            errors.Add("phone", options.PhonePattern == HaiPayOptions.DefaultPhonePattern
                ? "phone must be a Hong Kong number: 8 digits, optionally prefixed with +852 or 852"
                : $"phone does not match the accepted pattern {options.PhonePattern}");
        }
        if (Required(errors, "email", request.Email) && !IsEmail(request.Email))
        {
            errors.Add("email", request.Email.Length > EmailMaxLength
                ? $"email is longer than {EmailMaxLength} characters"
                : "email is not a valid email address");
        }
        if (Required(errors, "partnerUserId", request.PartnerUserId) && !PartnerUserIdPattern().IsMatch(request.PartnerUserId))
        {
            errors.Add("partnerUserId", "partnerUserId may contain only letters, digits and -~!@#$%&*()_");
        }

        CheckUrl(errors, "callBackUrl", request.CallBackUrl, required: true);
        CheckUrl(errors, "callBackFailUrl", request.CallBackFailUrl, required: true);
        CheckUrl(errors, "notifyUrl", request.NotifyUrl, required: false);
        CheckMaxLength(errors, "subject", request.Subject, SubjectMaxLength);
        CheckMaxLength(errors, "body", request.Body, BodyMaxLength);

        return errors.ToDictionary();
    }

    /// <summary>Checks inBankCode and payType; returns the method when it may take the payment.</summary>
    private static PaymentMethod? CheckMethod(Errors errors, PaymentMethodCatalogue catalogue, Currency currency, ApplyRequest request)
    {
        var hasPayType = Required(errors, "payType", request.PayType);
        var method = Required(errors, "inBankCode", request.InBankCode) ? FindMethod(errors, catalogue, currency, request.InBankCode) : null;
        if (method is null)
        {
            if (hasPayType && catalogue.Methods.All(m => m.Currency != currency || m.PayType != request.PayType))
            {
                errors.Add("payType", $"payType {request.PayType} is not a {currency} payType ({KnownPayTypes(catalogue, currency)})");
            }
            return null;
        }
        if (hasPayType && method.PayType != request.PayType)
        {
            errors.Add("payType", $"payType {request.PayType} does not match {method.InBankCode} ({method.PayType})");
        }
        if (method.State != PaymentMethodState.Available)
        {
            errors.Add("inBankCode", $"{method.InBankCode} is under maintenance");
            return null;
        }
        return method;
    }

    private static PaymentMethod? FindMethod(Errors errors, PaymentMethodCatalogue catalogue, Currency currency, string inBankCode)
    {
        var method = catalogue.Find(currency, inBankCode);
        if (method is null)
        {
            var elsewhere = catalogue.Methods.FirstOrDefault(m => m.InBankCode == inBankCode);
            errors.Add("inBankCode", elsewhere is not null
                ? $"inBankCode {inBankCode} is not a {currency} method (it is a {elsewhere.Currency} method)"
                : $"inBankCode {inBankCode} is not a known {currency} method ({KnownMethods(catalogue, currency)})");
        }
        return method;
    }

    private static void CheckAmount(Errors errors, Currency currency, string? amountText, PaymentMethod? method)
    {
        if (!Required(errors, "amount", amountText))
        {
            return;
        }
        if (!HaiPayAmount.IsWellFormed(amountText))
        {
            errors.Add("amount", $"amount '{amountText}' must be digits with up to 2 decimals, e.g. 100 or 99.50 (no sign, separators or spaces)");
            return;
        }
        if (!HaiPayAmount.TryParse(amountText, out var amount))
        {
            errors.Add("amount", $"amount {amountText} is too large");
            return;
        }
        var (min, max) = PaymentMethodCatalogue.CurrencyLimit(currency);
        CheckRange(errors, amountText, amount, min, max, currency.ToString());
        if (method is not null)
        {
            CheckRange(errors, amountText, amount, method.Min, method.Max, method.InBankCode);
        }
    }

    private static void CheckRange(Errors errors, string amountText, decimal amount, decimal min, decimal max, string limitOwner)
    {
        if (amount < min)
        {
            errors.Add("amount", $"amount {amountText} is below the {limitOwner} minimum {HaiPayAmount.Format(min)}");
        }
        else if (amount > max)
        {
            errors.Add("amount", $"amount {amountText} is above the {limitOwner} limit {HaiPayAmount.Format(max)}");
        }
    }

    private static void CheckUrl(Errors errors, string field, string? value, bool required)
    {
        if (required ? !Required(errors, field, value) : string.IsNullOrEmpty(value))
        {
            return;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            value.Any(char.IsWhiteSpace))
        {
            errors.Add(field, $"{field} must be an absolute http or https URL");
        }
    }

    private static void CheckMaxLength(Errors errors, string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            errors.Add(field, $"{field} is {value.Length} characters long; at most {maxLength} are allowed");
        }
    }

    /// <summary>Adds "X is required" when the value is missing or blank; true when present.</summary>
    private static bool Required(Errors errors, string field, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        errors.Add(field, $"{field} is required");
        return false;
    }

    /// <summary>A single mailbox: MailAddress accepts it as a bare address, one @, a dotted domain, no whitespace.</summary>
    private static bool IsEmail(string value)
    {
        if (value.Length > EmailMaxLength || value.Any(char.IsWhiteSpace) || value.Count(c => c == '@') != 1)
        {
            return false;
        }
        if (!MailAddress.TryCreate(value, out var address) || address.Address != value)
        {
            return false;
        }
        var domain = address.Host;
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..");
    }

    /// <summary>The pattern matches all of the value (a <c>$</c> that stops before a final newline does not count).</summary>
    private static bool IsWholeMatch(Regex pattern, string value)
    {
        try
        {
            var match = pattern.Match(value);
            return match.Success && match.Index == 0 && match.Length == value.Length;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string KnownPayTypes(PaymentMethodCatalogue catalogue, Currency currency) =>
        string.Join(", ", catalogue.Methods.Where(m => m.Currency == currency).Select(m => m.PayType).Distinct());

    private static string KnownMethods(PaymentMethodCatalogue catalogue, Currency currency) =>
        string.Join(", ", catalogue.Methods.Where(m => m.Currency == currency).Select(m => m.InBankCode));

    private static Regex CreatePhonePattern(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException("HaiPay:PhonePattern is not a valid regular expression.", ex);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9\-~!@#$%&*()_]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex PartnerUserIdPattern();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var messages))
            {
                _byField[field] = messages = [];
            }
            messages.Add(message);
        }

        public IReadOnlyDictionary<string, string[]> ToDictionary() =>
            _byField.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
