using System.Text;
using HaiPay.Sandbox.Wire;

namespace HaiPay.Sandbox.Faults;

/// <summary>What an apply or query handler must do about the fault armed for its request, if any.</summary>
internal readonly record struct FaultDecision(IResult? ShortCircuit, bool CorruptSignature, IReadOnlyDictionary<string, string?>? AlterData = null)
{
    public static FaultDecision None => default;
}

/// <summary>Applies an armed fault to an apply or query request (see <see cref="FaultKind"/>).</summary>
internal sealed class FaultInjection(SandboxState state, IHostApplicationLifetime lifetime)
{
    private static readonly byte[] Truncated = Encoding.UTF8.GetBytes("{\"status\":\"1\",\"error\":\"00000000\",\"msg\":\"\",\"data\":{\"orderId\":");

    public async Task<FaultDecision> DecideAsync(FaultEndpoint endpoint, string? orderId)
    {
        var rule = state.Faults.Take(endpoint, orderId);
        if (rule is null)
        {
            return FaultDecision.None;
        }
        switch (rule.Kind)
        {
            case FaultKind.Timeout:
                // Hangs whether or not the caller gives up, then goes on: a slow provider still does the work.
                try
                {
                    await Task.Delay(rule.Hang, lifetime.ApplicationStopping);
                }
                catch (OperationCanceledException)
                {
                    return new FaultDecision(Results.StatusCode(StatusCodes.Status503ServiceUnavailable), false);
                }
                return FaultDecision.None;
            case FaultKind.ServerError:
                return new FaultDecision(Results.Text($"Injected HTTP {rule.StatusCode} (sandbox)", "text/plain", statusCode: rule.StatusCode), false);
            case FaultKind.MalformedJson:
                return new FaultDecision(Results.Bytes(Truncated, "application/json; charset=utf-8"), false);
            case FaultKind.BadSignature:
                return new FaultDecision(null, CorruptSignature: true);
            case FaultKind.AlterData:
                return new FaultDecision(null, false, rule.Data);
            case FaultKind.BusinessError:
                return new FaultDecision(HaiPayEnvelope.Error(rule.ErrorCode, rule.Message), false);
            default:
                return FaultDecision.None;
        }
    }
}
