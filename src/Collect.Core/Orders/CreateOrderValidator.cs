using HaiPay;
using HaiPay.Validation;

namespace Collect.Core.Orders;

/// <summary>
/// Validates a create request, reporting every problem at once keyed by field name: <c>currency</c> here, every
/// HaiPay field rule through <see cref="ApplyRequestValidator"/> (format, currency and method limits, maintenance),
/// and the characters an orderId may not contain because it becomes a storage key and an orchestration id.
/// </summary>
public sealed class CreateOrderValidator(ApplyRequestValidator haiPayRules)
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
            foreach (var (field, messages) in haiPayRules.Validate(currency, apply))
            {
                Add(field, messages);
            }
        }
        else
        {
            // Without a currency, report only what is wrong whichever currency was meant (e.g. a malformed amount),
            // not the currency-specific limits and methods.
            var asHkd = haiPayRules.Validate(Currency.HKD, apply);
            var asUsd = haiPayRules.Validate(Currency.USD, apply);
            foreach (var (field, messages) in asHkd.Where(e => asUsd.ContainsKey(e.Key)))
            {
                Add(field, messages);
            }
        }

        if (request.OrderId is { Length: > 0 } orderId &&
            orderId.Any(c => char.IsControl(c) || OrderIds.ForbiddenCharacters.Contains(c)))
        {
            Add("orderId", ["orderId may not contain '/', '\\', '#', '?' or control characters"]);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
