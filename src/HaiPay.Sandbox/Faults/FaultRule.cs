namespace HaiPay.Sandbox.Faults;

/// <summary>Which HaiPay endpoint a fault hits.</summary>
public enum FaultEndpoint
{
    Apply,
    Query,
}

/// <summary>What an injected fault does to a request.</summary>
public enum FaultKind
{
    /// <summary>Hang for <see cref="FaultRule.Hang"/>, then handle the request normally (an apply still creates the order).</summary>
    Timeout,

    /// <summary>Answer HTTP <see cref="FaultRule.StatusCode"/> (5xx) with a plain-text body; nothing is processed.</summary>
    ServerError,

    /// <summary>Answer HTTP 200 with a truncated JSON envelope; nothing is processed.</summary>
    MalformedJson,

    /// <summary>Handle the request normally but sign <c>data</c> with a key nobody knows.</summary>
    BadSignature,

    /// <summary>Answer <c>status "0"</c> with <see cref="FaultRule.ErrorCode"/>; nothing is processed.</summary>
    BusinessError,

    /// <summary>
    /// Query only: answer normally, but with <see cref="FaultRule.Data"/> set in <c>data</c> before it is signed (odd
    /// provider data: an unknown status, an unreadable payTime, a currency field, another amount; null removes a field).
    /// </summary>
    AlterData,
}

/// <summary>
/// A fault to inject into apply or query requests: for the next <see cref="Count"/> requests, or for requests about
/// one <see cref="OrderId"/> (every one of them when <see cref="Count"/> is null, else the next Count).
/// With neither set, the next single request.
/// </summary>
public sealed record FaultRule
{
    public FaultEndpoint Endpoint { get; init; }
    public FaultKind Kind { get; init; }
    public int? Count { get; init; }
    public string? OrderId { get; init; }

    /// <summary><see cref="FaultKind.Timeout"/>: how long the request hangs. Default 30 s.</summary>
    public TimeSpan Hang { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><see cref="FaultKind.ServerError"/>: the HTTP status, 500–599. Default 500.</summary>
    public int StatusCode { get; init; } = 500;

    /// <summary><see cref="FaultKind.BusinessError"/>: the envelope's <c>error</c>. Default 9999.</summary>
    public string ErrorCode { get; init; } = Wire.SandboxErrorCodes.InjectedBusinessError;

    /// <summary><see cref="FaultKind.BusinessError"/>: the envelope's <c>msg</c>.</summary>
    public string Message { get; init; } = "Injected business error (sandbox)";

    /// <summary><see cref="FaultKind.AlterData"/>: the <c>data</c> fields to set (a null value removes the field).</summary>
    public Dictionary<string, string?>? Data { get; init; }

    /// <summary>The problems that make this rule unusable, keyed by property name; empty when valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var problems = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(Endpoint))
        {
            problems["endpoint"] = ["must be apply or query"];
        }
        if (!Enum.IsDefined(Kind))
        {
            problems["kind"] = ["must be timeout, serverError, malformedJson, badSignature, businessError or alterData"];
        }
        if (Count is < 1)
        {
            problems["count"] = ["must be at least 1 (leave it out with an orderId to hit every request for that order)"];
        }
        if (OrderId is not null && string.IsNullOrWhiteSpace(OrderId))
        {
            problems["orderId"] = ["must not be blank"];
        }
        if (Kind == FaultKind.Timeout && Hang <= TimeSpan.Zero)
        {
            problems["hang"] = ["must be positive"];
        }
        if (Kind == FaultKind.ServerError && StatusCode is < 500 or > 599)
        {
            problems["statusCode"] = ["must be 500–599"];
        }
        if (Kind == FaultKind.BusinessError && (string.IsNullOrWhiteSpace(ErrorCode) || ErrorCode == Wire.SandboxErrorCodes.Ok))
        {
            problems["errorCode"] = [$"must be a non-empty code other than {Wire.SandboxErrorCodes.Ok}"];
        }
        if (Kind == FaultKind.AlterData && (Endpoint != FaultEndpoint.Query || Data is not { Count: > 0 } || Data.ContainsKey("sign")))
        {
            problems["data"] = ["alterData applies to query and needs at least one data field to set (sign is always recomputed)"];
        }
        return problems;
    }
}

/// <summary>An armed fault and how many more requests it will hit (null: unlimited, for one orderId).</summary>
public sealed record ActiveFault(Guid Id, FaultRule Rule, int? Remaining);
