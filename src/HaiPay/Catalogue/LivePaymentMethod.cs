namespace HaiPay.Catalogue;

/// <summary>One method HaiPay's <c>POST /common/payment/config</c> lists as live, with its single-payment limits.</summary>
public sealed record LivePaymentMethod(string InBankCode, string Name, decimal SingleMinAmount, decimal SingleMaxAmount);
