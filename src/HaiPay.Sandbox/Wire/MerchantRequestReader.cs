using HaiPay.Sandbox.Faults;

namespace HaiPay.Sandbox.Wire;

/// <summary>
/// A merchant request that passed the common checks; <see cref="CorruptSignature"/> arms the bad-signature fault and
/// <see cref="AlterData"/> the odd-data fault.
/// </summary>
internal sealed record MerchantRequest(
    Currency Currency, IReadOnlyDictionary<string, string?> Fields, long AppId, string? OrderId, bool CorruptSignature,
    IReadOnlyDictionary<string, string?>? AlterData = null);

/// <summary>
/// What apply and query do first, in HaiPay's order: the currency from the path, the flat body, the request counter,
/// an armed fault, then the merchant's appId and signature. Either a request or the answer to give instead.
/// </summary>
internal sealed class MerchantRequestReader(SandboxState state, MerchantRequestCheck merchantCheck, FaultInjection faults)
{
    public async Task<(MerchantRequest? Request, IResult? Answer)> ReadAsync(string segment, HttpContext http, FaultEndpoint endpoint)
    {
        if (!CurrencyExtensions.TryParse(segment, out var currency))
        {
            return (null, Results.NotFound());
        }
        var (fields, problem) = await RequestFields.ReadAsync(http.Request, http.RequestAborted);
        var orderId = fields?.GetValueOrDefault("orderId");
        if (endpoint == FaultEndpoint.Apply)
        {
            state.Counters.ApplyReceived(orderId);
        }
        else
        {
            state.Counters.QueryReceived(orderId);
        }

        var fault = await faults.DecideAsync(endpoint, orderId);
        if (fault.ShortCircuit is { } injected)
        {
            return (null, injected);
        }
        if (fields is null)
        {
            return (null, HaiPayEnvelope.Error(SandboxErrorCodes.ParameterError, $"Invalid request body: {problem}"));
        }
        if (merchantCheck.Verify(currency, fields, out var appId) is { } rejected)
        {
            return (null, rejected);
        }
        return (new MerchantRequest(currency, fields, appId, orderId, fault.CorruptSignature, fault.AlterData), null);
    }
}
