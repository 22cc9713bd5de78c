using HaiPay.Catalogue;

namespace HaiPay.Sandbox.Catalogue;

/// <summary>A change to one method through the control API: its state and/or limits (wire strings, e.g. "100.00").</summary>
internal sealed record MethodChange(PaymentMethodState? State, string? Min, string? Max);

/// <summary>
/// The sandbox's payment methods as they are now. Starts as the configured catalogue (the seed table by default);
/// the control API can put a method into or out of maintenance and change its limits while the sandbox runs, and
/// apply, checkout and <c>/common/payment/config</c> all follow. <see cref="Reset"/> restores the start.
/// </summary>
internal sealed class SandboxMethods(PaymentMethodCatalogue initial)
{
    private readonly Lock _lock = new();
    private readonly PaymentMethodCatalogue _initial = initial;
    private PaymentMethodCatalogue _current = initial;

    public PaymentMethodCatalogue Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Applies the change; the problems by field when it is not valid (nothing changes then), else the method.</summary>
    public (PaymentMethod? Method, Dictionary<string, string[]>? Problems) Change(Currency currency, string inBankCode, MethodChange change)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        decimal? min = Amount(change.Min, "min", problems);
        decimal? max = Amount(change.Max, "max", problems);
        if (change.State is { } state && !Enum.IsDefined(state))
        {
            problems["state"] = ["must be available or maintenance"];
        }
        lock (_lock)
        {
            var method = _current.Find(currency, inBankCode);
            if (method is null)
            {
                return (null, null);
            }
            var changed = method with
            {
                State = change.State ?? method.State,
                Min = min ?? method.Min,
                Max = max ?? method.Max,
            };
            if (problems.Count == 0 && changed.Min > changed.Max)
            {
                problems["min"] = ["must not be above max"];
            }
            if (problems.Count > 0)
            {
                return (method, problems);
            }
            _current = new PaymentMethodCatalogue(_current.Methods.Select(m => ReferenceEquals(m, method) ? changed : m));
            return (changed, null);
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _current = _initial;
        }
    }

    private static decimal? Amount(string? text, string field, Dictionary<string, string[]> problems)
    {
        if (text is null)
        {
            return null;
        }
        if (!HaiPayAmount.TryParse(text, out var amount) || amount <= 0)
        {
            problems[field] = ["must be a positive decimal string with at most 2 decimals, e.g. \"100.00\""];
            return null;
        }
        return amount;
    }
}
