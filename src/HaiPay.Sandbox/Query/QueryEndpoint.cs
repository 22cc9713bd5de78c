using System.Globalization;
using HaiPay.Sandbox.Faults;
using HaiPay.Sandbox.Wire;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Query;

/// <summary>
/// <c>POST /{hkd|usd}/collect/query</c> (appId, orderId, optional orderNo, sign): the order's current status, amount,
/// actualAmount (collected), fee, payTime (provider local time) and errorMsg (status 3), signed.
/// </summary>
internal sealed class QueryEndpoint(
    SandboxState state,
    MerchantRequestCheck merchantCheck,
    HaiPayEnvelope envelope,
    FaultInjection faults,
    IOptions<SandboxOptions> options)
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/{currency}/collect/query", (string currency, HttpContext http, QueryEndpoint endpoint) =>
            endpoint.HandleAsync(currency, http));

    private async Task<IResult> HandleAsync(string segment, HttpContext http)
    {
        if (!CurrencyExtensions.TryParse(segment, out var currency))
        {
            return Results.NotFound();
        }
        var (fields, problem) = await RequestFields.ReadAsync(http.Request, http.RequestAborted);
        var orderId = fields?.GetValueOrDefault("orderId");
        state.Counters.QueryReceived(orderId);

        var fault = await faults.DecideAsync(FaultEndpoint.Query, orderId);
        if (fault.ShortCircuit is { } injected)
        {
            return injected;
        }
        if (fields is null)
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError, $"Invalid request body: {problem}");
        }
        if (merchantCheck.Verify(currency, fields, out var appId) is { } rejected)
        {
            return rejected;
        }
        if (string.IsNullOrEmpty(orderId))
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError, "orderId: is required");
        }
        var order = state.Find(appId, orderId);
        var orderNo = fields.GetValueOrDefault("orderNo");
        if (order is null || (!string.IsNullOrEmpty(orderNo) && orderNo != order.OrderNo))
        {
            return HaiPayEnvelope.Error(SandboxErrorCodes.OrderNotFound,
                string.IsNullOrEmpty(orderNo) ? $"Order {orderId} not found" : $"Order {orderId} / {orderNo} not found");
        }

        WireField[] data;
        lock (order.Gate)
        {
            data =
            [
                new("orderId", order.OrderId),
                new("orderNo", order.OrderNo),
                new("amount", HaiPayAmount.Format(order.Amount)),
                new("actualAmount", HaiPayAmount.Format(order.CollectedAmount)),
                new("fee", HaiPayAmount.Format(order.Fee)),
                new("status", order.Status.ToWire().ToString(CultureInfo.InvariantCulture), IsNumber: true),
                new("payTime", order.PayTime is { } t ? ProviderTime.Format(t, options.Value.ProviderUtcOffset) : null),
                new("errorMsg", order.Status == CollectionStatus.Failed ? order.ErrorMsg : null),
            ];
        }
        return envelope.Success(currency, data, fault.CorruptSignature);
    }
}
