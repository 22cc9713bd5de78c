using Collect.Core.Catalogue;
using Collect.Core.Tests.Support;
using HaiPay;
using HaiPay.Catalogue;
using HaiPay.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Collect.Core.Tests.Catalogue;

/// <summary>The catalogue in force, with a scripted HaiPay: what a fetch's outcome does to it over time.</summary>
public sealed class LiveCatalogueTests
{
    private static readonly LivePaymentMethod AlipayHkd = new("ALIPAY_HKD", "AlipayHK", 1m, 300m);
    private static readonly LivePaymentMethod AlipayUsd = new("ALIPAY_USD", "AlipayHK", 0.99m, 499.99m);

    private readonly ManualTime _time = new();
    private readonly ScriptedConfigClient _haiPay = new();

    private LiveCatalogue Catalogue(CatalogueOptions? options = null) => new(
        _haiPay, PaymentMethodCatalogue.Seed, Options.Create(options ?? new CatalogueOptions()), _time, NullLogger<LiveCatalogue>.Instance);

    [Fact]
    public async Task A_verified_list_decides_availability_and_limits_of_the_configured_methods()
    {
        _haiPay.Answer(Currency.HKD, [AlipayHkd, new LivePaymentMethod("FPS_HKD", "FPS", 1m, 10000m)]);
        _haiPay.Answer(Currency.USD, [AlipayUsd, new LivePaymentMethod("PAYME_USD", "PayMe", 5m, 800m)]);
        var catalogue = Catalogue();

        await catalogue.RefreshAsync();

        var current = catalogue.Current;
        Assert.Equal((PaymentMethodState.Available, 1m, 300m), State(current, Currency.HKD, "ALIPAY_HKD"));
        Assert.Equal(PaymentMethodState.Maintenance, State(current, Currency.HKD, "WXPAY_SCANCODE").State);
        Assert.Equal((PaymentMethodState.Available, 5m, 800m), State(current, Currency.USD, "PAYME_USD"));
        Assert.Equal(PaymentMethodState.Maintenance, State(current, Currency.USD, "HK_WXPAY_SCANCODE_USD").State);
        Assert.Null(current.Find(Currency.HKD, "FPS_HKD"));
        var hkd = catalogue.Describe().Currencies.Single(c => c.Currency == "HKD");
        Assert.Equal("live", hkd.Source);
        Assert.Equal(_time.GetUtcNow(), hkd.FetchedAt);
        Assert.Null(hkd.LastProblem);
        Assert.Equal(["FPS_HKD"], hkd.NotConfigured.Select(m => m.InBankCode));
        Assert.Equal("300.00", hkd.Methods.Single(m => m.InBankCode == "ALIPAY_HKD").Max);
    }

    [Fact]
    public async Task A_failing_fetch_keeps_the_last_verified_list_until_it_is_stale_then_the_configured_catalogue_is_in_force()
    {
        _haiPay.Answer(Currency.HKD, [AlipayHkd]);
        _haiPay.Answer(Currency.USD, [AlipayUsd]);
        var catalogue = Catalogue(new CatalogueOptions { StaleAfter = TimeSpan.FromHours(1) });
        await catalogue.RefreshAsync();

        _haiPay.Fail(Currency.HKD, new HaiPayTransientException(TransientReason.InvalidSignature, "forged"));
        _time.Advance(TimeSpan.FromMinutes(59));
        await catalogue.RefreshAsync();

        Assert.Equal(PaymentMethodState.Maintenance, State(catalogue.Current, Currency.HKD, "WXPAY_SCANCODE").State);
        var hkd = catalogue.Describe().Currencies.Single(c => c.Currency == "HKD");
        Assert.Equal(("live", "HaiPay could not answer (InvalidSignature)"), (hkd.Source, hkd.LastProblem));
        Assert.Equal(_time.GetUtcNow(), hkd.AttemptedAt);

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal((PaymentMethodState.Available, 1m, 1000m), State(catalogue.Current, Currency.HKD, "WXPAY_SCANCODE"));
        Assert.Equal((PaymentMethodState.Available, 1m, 5000m), State(catalogue.Current, Currency.HKD, "ALIPAY_HKD"));
        Assert.Equal("configured", catalogue.Describe().Currencies.Single(c => c.Currency == "HKD").Source);
        Assert.Equal("live", catalogue.Describe().Currencies.Single(c => c.Currency == "USD").Source);
    }

    [Fact]
    public async Task Before_any_answer_and_after_a_refusal_the_configured_catalogue_is_in_force()
    {
        var catalogue = Catalogue();
        Assert.Equal(PaymentMethodCatalogue.Seed.Methods, catalogue.Current.Methods);

        _haiPay.Fail(Currency.HKD, new HaiPayRejectedException("30000001", "appId unknown"));
        _haiPay.Fail(Currency.USD, new HttpRequestException("connection refused"));
        await catalogue.RefreshAsync();

        Assert.Equal(PaymentMethodCatalogue.Seed.Methods, catalogue.Current.Methods);
        var problems = catalogue.Describe().Currencies.ToDictionary(c => c.Currency, c => c.LastProblem);
        Assert.Equal("HaiPay refused the request (30000001)", problems["HKD"]);
        Assert.Equal("the fetch failed (HttpRequestException)", problems["USD"]);
    }

    [Fact]
    public async Task An_answer_listing_no_method_is_not_taken()
    {
        _haiPay.Answer(Currency.HKD, []);
        _haiPay.Answer(Currency.USD, [AlipayUsd]);
        var catalogue = Catalogue();

        await catalogue.RefreshAsync();

        Assert.Equal(PaymentMethodState.Available, State(catalogue.Current, Currency.HKD, "ALIPAY_HKD").State);
        var hkd = catalogue.Describe().Currencies.Single(c => c.Currency == "HKD");
        Assert.Equal(("configured", "HaiPay listed no methods; the answer was not taken"), (hkd.Source, hkd.LastProblem));
    }

    [Fact]
    public async Task A_fetch_that_does_not_answer_in_time_counts_as_failed_and_does_not_hold_the_refresh()
    {
        _haiPay.Hang(Currency.HKD);
        _haiPay.Answer(Currency.USD, [AlipayUsd]);
        var catalogue = Catalogue(new CatalogueOptions { FetchTimeout = TimeSpan.FromMilliseconds(200) });

        await catalogue.RefreshAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var views = catalogue.Describe().Currencies.ToDictionary(c => c.Currency);
        Assert.Equal("no answer within 0.2 s", views["HKD"].LastProblem);
        Assert.Equal("live", views["USD"].Source);
    }

    [Fact]
    public async Task With_live_off_HaiPay_is_never_asked()
    {
        _haiPay.Answer(Currency.HKD, [AlipayHkd]);
        var catalogue = Catalogue(new CatalogueOptions { Live = false });

        await catalogue.RefreshAsync();

        Assert.Equal(0, _haiPay.Calls);
        Assert.Equal(PaymentMethodCatalogue.Seed.Methods, catalogue.Current.Methods);
        Assert.All(catalogue.Describe().Currencies, c => Assert.Equal("configured", c.Source));
    }

    [Theory]
    [InlineData("00:00:00.500", "00:00:05", "01:00:00", "RefreshInterval")]
    [InlineData("00:05:00", "00:00:00.050", "01:00:00", "FetchTimeout")]
    [InlineData("00:05:00", "00:00:05", "00:01:00", "StaleAfter")]
    public void Settings_that_would_hammer_HaiPay_or_never_notice_a_change_are_refused(string refresh, string timeout, string stale, string named)
    {
        var result = new CatalogueOptionsValidator().Validate(null, new CatalogueOptions
        {
            RefreshInterval = TimeSpan.Parse(refresh, System.Globalization.CultureInfo.InvariantCulture),
            FetchTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture),
            StaleAfter = TimeSpan.Parse(stale, System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage);
        Assert.True(new CatalogueOptionsValidator().Validate(null, new CatalogueOptions()).Succeeded);
    }

    private static (PaymentMethodState State, decimal Min, decimal Max) State(PaymentMethodCatalogue catalogue, Currency currency, string code)
    {
        var method = catalogue.Find(currency, code) ?? throw new InvalidOperationException($"{code} is not in the catalogue");
        return (method.State, method.Min, method.Max);
    }

    /// <summary>HaiPay's config endpoint, scripted per currency; apply and query are not part of these tests.</summary>
    private sealed class ScriptedConfigClient : IHaiPayClient
    {
        private readonly Dictionary<Currency, Func<CancellationToken, Task<IReadOnlyList<LivePaymentMethod>>>> _answers = [];
        private int _calls;

        public int Calls => _calls;

        public void Answer(Currency currency, IReadOnlyList<LivePaymentMethod> methods) => _answers[currency] = _ => Task.FromResult(methods);

        public void Fail(Currency currency, Exception exception) => _answers[currency] = _ => Task.FromException<IReadOnlyList<LivePaymentMethod>>(exception);

        public void Hang(Currency currency) => _answers[currency] = async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        };

        public Task<IReadOnlyList<LivePaymentMethod>> GetPaymentConfigAsync(Currency currency, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return _answers.TryGetValue(currency, out var answer)
                ? answer(cancellationToken)
                : Task.FromException<IReadOnlyList<LivePaymentMethod>>(new HaiPayTransientException(TransientReason.Timeout, "no script"));
        }

        public Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
