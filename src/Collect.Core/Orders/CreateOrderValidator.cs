using Collect.Core.Catalogue;
using HaiPay;
using HaiPay.Validation;

namespace Collect.Core.Orders;

/// <summary>
/// Validates a create request, reporting every problem at once keyed by field name: <c>currency</c> here, every
/// HaiPay field rule through <see cref="ApplyRequestValidator"/> (format, currency and method limits, maintenance),
/// against the catalogue in force (<see cref="LiveCatalogue"/>: HaiPay's live list, else the configured one),
/// the orderId rule (<see cref="OrderIds"/>: it becomes a storage key, a URL segment and an orchestration id), and
/// this product's own bounds: every field within <see cref="CreateOrderRequest.MaxLengths"/> and free of control
/// characters.
/// </summary>
public sealed class CreateOrderValidator(ApplyRequestValidator haiPayRules, LiveCatalogue catalogue)
{
    public IReadOnlyDictionary<string, string[]> Validate(CreateOrderRequest request)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, IEnumerable<string> messages)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.AddRange(messages);
        }

        // notifyUrl is the product's own setting, never the caller's: it is not validated as the caller's input.
        var apply = request.ToApplyRequest(notifyUrl: null);
        var methods = catalogue.Current;
        var knownCurrency = CurrencyExtensions.TryParse(request.Currency, out var currency);
        if (string.IsNullOrWhiteSpace(request.Currency))
        {
            Add("currency", ["currency is required (HKD or USD)"]);
        }
        else if (!knownCurrency)
        {
            Add("currency", [$"currency '{request.Currency}' is not supported; use HKD or USD"]);
        }

        if (knownCurrency)
        {
            foreach (var (field, messages) in haiPayRules.Validate(currency, apply, methods))
            {
                Add(field, messages);
            }
        }
        else
        {
            // Without a currency, report only what is wrong whichever currency was meant (e.g. a malformed amount),
            // not the currency-specific limits and methods.
            var asHkd = haiPayRules.Validate(Currency.HKD, apply, methods);
            var asUsd = haiPayRules.Validate(Currency.USD, apply, methods);
            foreach (var (field, messages) in asHkd.Where(e => asUsd.ContainsKey(e.Key)))
            {
                Add(field, messages);
            }
        }

        if (request.OrderId is { Length: > 0 } orderId && !OrderIds.IsValid(orderId))
        {
            Add("orderId", [$"orderId must be {OrderIds.Rule}"]);
        }
        var values = CreateOrderRequest.FieldNames.Zip(Values(request));
        foreach (var (field, value) in values)
        {
            if (value is null)
            {
                continue;
            }
            if (value.Length > CreateOrderRequest.MaxLengths[field])
            {
                Add(field, [$"{field} may be at most {CreateOrderRequest.MaxLengths[field]} characters (it has {value.Length})"]);
            }
            if (value.Any(char.IsControl))
            {
                Add(field, [$"{field} may not contain control characters"]);
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.Distinct().ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The request's values in <see cref="CreateOrderRequest.FieldNames"/> order.</summary>
    private static IEnumerable<string?> Values(CreateOrderRequest r) =>
    [
        r.OrderId, r.Currency, r.Amount, r.PayType, r.InBankCode, r.Name, r.Phone, r.Email, r.PartnerUserId,
        r.CallBackUrl, r.CallBackFailUrl, r.Subject, r.Body,
    ];
}
