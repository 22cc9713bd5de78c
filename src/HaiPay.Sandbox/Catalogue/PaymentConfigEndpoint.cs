using System.Text.Json;
using HaiPay.Catalogue;
using HaiPay.Sandbox.Keys;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Catalogue;

/// <summary>
/// <c>POST /common/payment/config</c>: the merchant's live methods. The currency is the appId's; the request must be
/// signed like every other (merchant key + that currency's secretKey). The answer lists the methods available now
/// (<see cref="SandboxMethods"/>), grouped in one config per payType, with their limits as strings, and is signed with
/// the platform key over <c>data</c>'s top-level fields, nested ones as their JSON text
/// (<see cref="PaymentConfigAnswer.SignedFields"/>).
/// </summary>
internal sealed class PaymentConfigEndpoint(SandboxKeys keys, SandboxMethods methods, MerchantRequestCheck merchantCheck, HaiPayEnvelope envelope)
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/common/payment/config", (HttpContext http, PaymentConfigEndpoint endpoint) => endpoint.HandleAsync(http));

    private async Task<IResult> HandleAsync(HttpContext http)
    {
        var (fields, problem) = await RequestFields.ReadAsync(http.Request, http.RequestAborted);
        if (fields is null)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError, $"Invalid request body: {problem}");
        }
        var appIdText = fields.GetValueOrDefault("appId");
        if (!long.TryParse(appIdText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var appId))
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError, string.IsNullOrEmpty(appIdText) ? "appId is required" : "appId must be an integer");
        }
        if (keys.CurrencyOf(appId) is not { } currency)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.AppIdCurrencyMismatch, $"appId {appId} is not a known business ID");
        }
        if (merchantCheck.Verify(currency, fields, out _) is { } rejected)
        {
            return rejected;
        }
        return envelope.Success(currency, Data(appId, currency));
    }

    private JsonElement Data(long appId, Currency currency)
    {
        var configs = methods.Current.Methods
            .Where(m => m.Currency == currency && m.State == PaymentMethodState.Available)
            .GroupBy(m => m.PayType)
            .Select(group => new Dictionary<string, object>
            {
                ["tranType"] = group.Key,
                ["payMethods"] = group.Select(m => new Dictionary<string, object>
                {
                    ["inBankCode"] = m.InBankCode,
                    ["name"] = m.Description,
                    ["limit"] = new Dictionary<string, string>
                    {
                        ["singleMinAmount"] = HaiPayAmount.Format(m.Min),
                        ["singleMaxAmount"] = HaiPayAmount.Format(m.Max),
                    },
                }).ToList(),
                ["feeRate"] = "0.02",
                ["settlement"] = new Dictionary<string, string> { ["stlMode"] = "AUTO", ["stlCycle"] = "T1" },
                ["supportRefund"] = false,
            })
            .ToList();
        return JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["appId"] = appId, ["configs"] = configs });
    }
}
