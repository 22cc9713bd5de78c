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
    MerchantRequestReader reader,
    HaiPayEnvelope envelope,
    IOptions<SandboxOptions> options)
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/{currency}/collect/query", (string currency, HttpContext http, QueryEndpoint endpoint) =>
            endpoint.HandleAsync(currency, http));

    private async Task<IResult> HandleAsync(string segment, HttpContext http)
    {
        var (merchant, answer) = await reader.ReadAsync(segment, http, FaultEndpoint.Query);
        if (merchant is null)
        {
            return answer!;
        }
        var (currency, fields, appId, orderId) = (merchant.Currency, merchant.Fields, merchant.AppId, merchant.OrderId);
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
        return envelope.Success(currency, Altered(data, merchant.AlterData), merchant.CorruptSignature);
    }

    /// <summary>The data with an odd-data fault's fields set (numbers stay numbers) or removed (null).</summary>
    private static WireField[] Altered(WireField[] data, IReadOnlyDictionary<string, string?>? alter)
    {
        if (alter is null)
        {
            return data;
        }
        var fields = data.Where(f => !alter.ContainsKey(f.Name)).ToList();
        foreach (var (name, value) in alter.Where(a => a.Value is not null))
        {
            fields.Add(new WireField(name, value, IsNumber: name == "status" && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)));
        }
        return [.. fields];
    }
}
