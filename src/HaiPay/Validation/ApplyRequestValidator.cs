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
public sealed class ApplyRequestValidator(PaymentMethodCatalogue catalogue, HaiPayOptions options)
{
    public IReadOnlyDictionary<string, string[]> Validate(Currency currency, ApplyRequest request) =>
        throw new NotImplementedException();
}
