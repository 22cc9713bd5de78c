namespace HaiPay.Catalogue;

/// <summary>
/// The payment methods a merchant may offer, with their limits and state. Defaults to the seed table
/// (hong-kong-collection-api.md, April 2026); configuration (<see cref="HaiPayOptions.PaymentMethods"/>) replaces it.
/// </summary>
public sealed class PaymentMethodCatalogue
{
    public static PaymentMethodCatalogue Seed { get; } = new(
    [
        new(Currency.HKD, "EWALLET", "WXPAY_SCANCODE", 1m, 1000m, PaymentMethodState.Available, "WeChat QR code payment"),
        new(Currency.HKD, "EWALLET", "ALIPAY_HKD", 1m, 5000m, PaymentMethodState.Available, "AlipayHK"),
        new(Currency.USD, "EWALLET", "HK_WXPAY_SCANCODE_USD", 0.99m, 120m, PaymentMethodState.Available, "WeChat QR code payment"),
        new(Currency.USD, "BANK_TRANSFER", "ALIPAY_USD", 0.99m, 499.99m, PaymentMethodState.Available, "AlipayHK"),
        new(Currency.USD, "BANK_TRANSFER", "PAYME_USD", 1m, 1000m, PaymentMethodState.Maintenance, "PayMe"),
    ]);

    public PaymentMethodCatalogue(IEnumerable<PaymentMethod> methods) => Methods = methods.ToList();

    public IReadOnlyList<PaymentMethod> Methods { get; }

    /// <summary>The currency-wide collection limit: HKD 1–5000, USD 0.99–499.99.</summary>
    public static (decimal Min, decimal Max) CurrencyLimit(Currency currency) => currency switch
    {
        Currency.HKD => (1m, 5000m),
        Currency.USD => (0.99m, 499.99m),
        _ => throw new ArgumentOutOfRangeException(nameof(currency), currency, null),
    };

    /// <summary>The method with this inBankCode in this currency, or null.</summary>
    public PaymentMethod? Find(Currency currency, string? inBankCode) =>
        Methods.FirstOrDefault(m => m.Currency == currency && string.Equals(m.InBankCode, inBankCode, StringComparison.Ordinal));

    /// <summary>
    /// This catalogue with <paramref name="currency"/>'s methods as HaiPay's live list has them: a method the list
    /// names is available within the list's limits; a method it does not name is under maintenance (HaiPay accepts
    /// nothing for it). Methods the list names that this catalogue does not know are left out (their payType is not in
    /// the answer, so an apply could not be built): <see cref="NotConfigured"/> lists them. Other currencies are
    /// unchanged.
    /// </summary>
    public PaymentMethodCatalogue WithLive(Currency currency, IReadOnlyList<LivePaymentMethod> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        return new PaymentMethodCatalogue(Methods.Select(method =>
        {
            if (method.Currency != currency)
            {
                return method;
            }
            var listed = live.FirstOrDefault(l => string.Equals(l.InBankCode, method.InBankCode, StringComparison.Ordinal));
            return listed is null
                ? method with { State = PaymentMethodState.Maintenance }
                : method with { State = PaymentMethodState.Available, Min = listed.SingleMinAmount, Max = listed.SingleMaxAmount };
        }));
    }

    /// <summary>The methods of HaiPay's live list for <paramref name="currency"/> that this catalogue does not know.</summary>
    public IReadOnlyList<LivePaymentMethod> NotConfigured(Currency currency, IReadOnlyList<LivePaymentMethod> live) =>
        live.Where(l => Find(currency, l.InBankCode) is null).ToList();

    /// <summary>The seed catalogue, or the configured one when configuration lists methods.</summary>
    public static PaymentMethodCatalogue FromOptions(HaiPayOptions options)
    {
        if (options.PaymentMethods.Count == 0)
        {
            return Seed;
        }
        return new PaymentMethodCatalogue(options.PaymentMethods.Select(o =>
        {
            if (!CurrencyExtensions.TryParse(o.Currency, out var currency))
            {
                throw new InvalidOperationException($"HaiPay:PaymentMethods: unknown currency '{o.Currency}' for {o.InBankCode}.");
            }
            if (!Enum.TryParse<PaymentMethodState>(o.Status, ignoreCase: true, out var state))
            {
                throw new InvalidOperationException($"HaiPay:PaymentMethods: unknown status '{o.Status}' for {o.InBankCode}.");
            }
            if (o.Min <= 0 || o.Max < o.Min)
            {
                throw new InvalidOperationException($"HaiPay:PaymentMethods: invalid limits {o.Min}–{o.Max} for {o.InBankCode}.");
            }
            return new PaymentMethod(currency, o.PayType, o.InBankCode, o.Min, o.Max, state, o.Description ?? o.InBankCode);
        }));
    }
}
