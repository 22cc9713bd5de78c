namespace HaiPay.Catalogue;

public enum PaymentMethodState
{
    Available,
    Maintenance,
}

/// <summary>One row of HaiPay's payment-method table.</summary>
public sealed record PaymentMethod(
    Currency Currency,
    string PayType,
    string InBankCode,
    decimal Min,
    decimal Max,
    PaymentMethodState State,
    string Description);
