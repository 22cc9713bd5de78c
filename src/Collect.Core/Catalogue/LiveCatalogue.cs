using HaiPay;
using HaiPay.Catalogue;
using HaiPay.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Catalogue;

/// <summary>
/// The payment-method catalogue in force on this instance: the configured catalogue with each currency's methods as
/// HaiPay's last verified live list has them (<see cref="PaymentMethodCatalogue.WithLive"/>), or the configured one
/// for a currency whose list was never fetched, or whose last verified list is older than
/// <see cref="CatalogueOptions.StaleAfter"/>. Refreshes never throw: a failed fetch keeps what is in force and says why.
/// </summary>
/// <remarks>
/// An answer listing no method at all is not taken: it would close every method on one odd answer, while HaiPay itself
/// still refuses what it cannot take at apply. Money is never at stake here; the list only decides which creates get
/// an early 400.
/// </remarks>
public sealed partial class LiveCatalogue(
    IHaiPayClient haiPay,
    PaymentMethodCatalogue configured,
    IOptions<CatalogueOptions> options,
    TimeProvider time,
    ILogger<LiveCatalogue> logger)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly Dictionary<Currency, CurrencyState> _states = Enum.GetValues<Currency>().ToDictionary(c => c, _ => CurrencyState.Never);
    private readonly Lock _lock = new();

    /// <summary>The catalogue new orders are validated against now.</summary>
    public PaymentMethodCatalogue Current
    {
        get
        {
            var now = time.GetUtcNow();
            var inForce = configured;
            foreach (var (currency, state) in Snapshot())
            {
                if (IsLive(state, now))
                {
                    inForce = inForce.WithLive(currency, state.Live!);
                }
            }
            return inForce;
        }
    }

    /// <summary>Fetches every currency's live list once (skipped when <see cref="CatalogueOptions.Live"/> is off).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Value.Live)
        {
            return;
        }
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var currency in Enum.GetValues<Currency>())
            {
                await RefreshAsync(currency, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>What is in force per currency, where it came from and the last fetch's outcome (the ops route).</summary>
    public CatalogueView Describe()
    {
        var now = time.GetUtcNow();
        var inForce = Current;
        return new CatalogueView(options.Value.Live, options.Value.RefreshInterval, options.Value.StaleAfter,
            Snapshot().Select(pair =>
            {
                var (currency, state) = pair;
                var live = IsLive(state, now);
                return new CatalogueCurrencyView(
                    currency.ToString(),
                    live ? "live" : "configured",
                    state.FetchedAt,
                    state.AttemptedAt,
                    state.Problem,
                    inForce.Methods.Where(m => m.Currency == currency).Select(CatalogueMethodView.From).ToList(),
                    live ? configured.NotConfigured(currency, state.Live!).Select(CatalogueMethodView.From).ToList() : []);
            }).ToList());
    }

    private async Task RefreshAsync(Currency currency, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.FetchTimeout);
        string problem;
        try
        {
            var live = await haiPay.GetPaymentConfigAsync(currency, timeout.Token).ConfigureAwait(false);
            if (live.Count > 0)
            {
                Record(currency, live, problem: null);
                return;
            }
            problem = "HaiPay listed no methods; the answer was not taken";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"no answer within {options.Value.FetchTimeout.TotalSeconds:0.###} s";
        }
        catch (HaiPayRejectedException ex)
        {
            problem = $"HaiPay refused the request ({ex.Code})";
        }
        catch (HaiPayTransientException ex)
        {
            problem = $"HaiPay could not answer ({ex.Reason})";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problem = $"the fetch failed ({ex.GetType().Name})";
        }
        Record(currency, live: null, problem);
        LogFetchFailed(currency.ToString(), problem);
    }

    private void Record(Currency currency, IReadOnlyList<LivePaymentMethod>? live, string? problem)
    {
        var now = time.GetUtcNow();
        CurrencyState before;
        lock (_lock)
        {
            before = _states[currency];
            _states[currency] = live is null
                ? before with { AttemptedAt = now, Problem = problem }
                : new CurrencyState(live, now, now, null);
        }
        if (live is not null && (before.Live is null || !before.Live.SequenceEqual(live)))
        {
            LogListChanged(currency.ToString(), string.Join(", ", live.Select(m => m.InBankCode)));
        }
    }

    private List<KeyValuePair<Currency, CurrencyState>> Snapshot()
    {
        lock (_lock)
        {
            return _states.ToList();
        }
    }

    private bool IsLive(CurrencyState state, DateTimeOffset now) =>
        options.Value.Live && state.Live is not null && now - state.FetchedAt < options.Value.StaleAfter;

    [LoggerMessage(Level = LogLevel.Information, Message = "HaiPay's live {Currency} methods are now: {Methods}")]
    private partial void LogListChanged(string currency, string methods);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HaiPay's live {Currency} method list was not refreshed: {Problem}")]
    private partial void LogFetchFailed(string currency, string problem);

    private sealed record CurrencyState(
        IReadOnlyList<LivePaymentMethod>? Live, DateTimeOffset? FetchedAt, DateTimeOffset? AttemptedAt, string? Problem)
    {
        public static CurrencyState Never { get; } = new(null, null, null, null);
    }
}

/// <summary>The ops view of the catalogue in force (<c>GET /api/ops/catalogue</c>).</summary>
public sealed record CatalogueView(bool Live, TimeSpan RefreshInterval, TimeSpan StaleAfter, IReadOnlyList<CatalogueCurrencyView> Currencies);

/// <summary>
/// One currency: <c>source</c> is <c>live</c> (HaiPay's verified list, fetched at <c>fetchedAt</c>) or
/// <c>configured</c>; <c>lastProblem</c> is why the last fetch (at <c>attemptedAt</c>) was not taken, if it was not.
/// <c>notConfigured</c> are methods HaiPay lists that the configuration does not know, so they are not offered.
/// </summary>
public sealed record CatalogueCurrencyView(
    string Currency,
    string Source,
    DateTimeOffset? FetchedAt,
    DateTimeOffset? AttemptedAt,
    string? LastProblem,
    IReadOnlyList<CatalogueMethodView> Methods,
    IReadOnlyList<CatalogueMethodView> NotConfigured);

/// <summary>A method with its limits as decimal strings; state is <c>Available</c> or <c>Maintenance</c>.</summary>
public sealed record CatalogueMethodView(string InBankCode, string? PayType, string Name, string Min, string Max, string State)
{
    public static CatalogueMethodView From(PaymentMethod method) => new(
        method.InBankCode, method.PayType, method.Description, HaiPayAmount.Format(method.Min), HaiPayAmount.Format(method.Max),
        method.State.ToString());

    public static CatalogueMethodView From(LivePaymentMethod method) => new(
        method.InBankCode, null, method.Name, HaiPayAmount.Format(method.SingleMinAmount), HaiPayAmount.Format(method.SingleMaxAmount),
        PaymentMethodState.Available.ToString());
}
