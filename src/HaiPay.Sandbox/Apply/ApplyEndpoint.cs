using HaiPay.Catalogue;
using HaiPay.Client;
using HaiPay.Sandbox.Catalogue;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Orders;
using HaiPay.Sandbox.Wire;
using HaiPay.Validation;

namespace HaiPay.Sandbox.Apply;

/// <summary>
/// <c>POST /{hkd|usd}/collect/apply</c>: checks, in order, the body, appId ↔ currency, the signature, the channel
/// (4002), maintenance, the field rules (<see cref="ApplyRequestValidator"/>), the currency and method limits and
/// orderId uniqueness per appId; then creates the order and answers its orderNo and payUrl, signed.
/// </summary>
internal sealed class ApplyEndpoint(
    SandboxState state,
    MerchantRequestReader reader,
    ApplyRequestValidator validator,
    SandboxMethods methods,
    OrderLifecycle lifecycle,
    HaiPayEnvelope envelope,
    SandboxAddress address)
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/{currency}/collect/apply", (string currency, HttpContext http, ApplyEndpoint endpoint) =>
            endpoint.HandleAsync(currency, http));

    private async Task<IResult> HandleAsync(string segment, HttpContext http)
    {
        var (merchant, answer) = await reader.ReadAsync(segment, http, FaultEndpoint.Apply);
        if (merchant is null)
        {
            return answer!;
        }
        var (currency, fields, appId) = (merchant.Currency, merchant.Fields, merchant.AppId);

        var request = ToApplyRequest(fields);
        var catalogue = methods.Current;
        var method = string.IsNullOrEmpty(request.InBankCode) ? null : catalogue.Find(currency, request.InBankCode);
        if (!string.IsNullOrEmpty(request.InBankCode) && method is null)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.UnknownChannel,
                $"Channel {request.InBankCode} does not exist for {currency}");
        }
        if (method is { State: PaymentMethodState.Maintenance })
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.MethodUnderMaintenance,
                $"Payment method {method.InBankCode} is under maintenance");
        }

        var wellFormed = HaiPayAmount.TryParse(request.Amount, out var amount);
        var limitProblem = wellFormed ? LimitProblem(currency, method, amount) : null;
        var fieldProblems = validator.Validate(currency, request, catalogue)
            .Where(e => !(e.Key == "amount" && limitProblem is not null))
            .SelectMany(e => e.Value.Select(message => $"{e.Key}: {message}"))
            .ToList();
        if (method is null && !fieldProblems.Any(p => p.StartsWith("inBankCode:", StringComparison.Ordinal)))
        {
            fieldProblems.Add("inBankCode: is required");
        }
        if (fieldProblems.Count > 0 || !wellFormed)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError,
                fieldProblems.Count > 0 ? string.Join("; ", fieldProblems.Distinct()) : "amount: is not a valid amount");
        }
        if (limitProblem is not null)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.AmountOutOfLimit, limitProblem);
        }

        var order = lifecycle.Create(currency, appId, request, amount);
        if (order is null)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.DuplicateOrderId, $"orderId {request.OrderId} already exists");
        }
        state.Counters.ApplyAccepted(order.OrderId);
        return envelope.Success(currency,
        [
            new WireField("orderId", order.OrderId),
            new WireField("orderNo", order.OrderNo),
            new WireField("payUrl", address.PayUrl(order.OrderNo)),
        ], merchant.CorruptSignature);
    }

    private static ApplyRequest ToApplyRequest(IReadOnlyDictionary<string, string?> fields) => new()
    {
        OrderId = fields.GetValueOrDefault("orderId") ?? "",
        Amount = fields.GetValueOrDefault("amount") ?? "",
        PayType = fields.GetValueOrDefault("payType") ?? "",
        InBankCode = fields.GetValueOrDefault("inBankCode") ?? "",
        Name = fields.GetValueOrDefault("name") ?? "",
        Phone = fields.GetValueOrDefault("phone") ?? "",
        Email = fields.GetValueOrDefault("email") ?? "",
        PartnerUserId = fields.GetValueOrDefault("partnerUserId") ?? "",
        CallBackUrl = fields.GetValueOrDefault("callBackUrl") ?? "",
        CallBackFailUrl = fields.GetValueOrDefault("callBackFailUrl") ?? "",
        NotifyUrl = fields.GetValueOrDefault("notifyUrl"),
        Subject = fields.GetValueOrDefault("subject"),
        Body = fields.GetValueOrDefault("body"),
    };

    private static string? LimitProblem(Currency currency, PaymentMethod? method, decimal amount)
    {
        var (min, max) = PaymentMethodCatalogue.CurrencyLimit(currency);
        if (amount < min || amount > max)
        {
            return $"amount {HaiPayAmount.Format(amount)} is outside the {currency} limit {min}–{max}";
        }
        if (method is not null && (amount < method.Min || amount > method.Max))
        {
            return $"amount {HaiPayAmount.Format(amount)} is outside the {method.InBankCode} limit {method.Min}–{method.Max}";
        }
        return null;
    }
}
