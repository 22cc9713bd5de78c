using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Collect.Core;

/// <summary>Settings of the collection product, bound from the <c>Collect</c> configuration section.</summary>
public sealed class CollectOptions
{
    public const string SectionName = "Collect";

    /// <summary>The product's own webhook URL, sent to HaiPay as <c>notifyUrl</c> on every apply (required).</summary>
    public string NotifyUrl { get; set; } = string.Empty;

    /// <summary>How long <c>POST /api/orders</c> waits for the apply before answering 202. Default 10 s.</summary>
    public TimeSpan CreateWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits between queries as comma-separated TimeSpans, the last repeating. Default 15 s, 30 s, 1 min, 2 min, 5 min.
    /// Read it parsed through <see cref="QueryBackoffSchedule"/>.
    /// </summary>
    public string QueryBackoff
    {
        get => _queryBackoff;
        set
        {
            _queryBackoff = value;
            _queryBackoffSchedule = null;
        }
    }

    /// <summary>How long the orchestration queries before the order expires. Default 30 min.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Orders table name. Default <c>orders</c>.</summary>
    public string OrdersTable { get; set; } = "orders";

    /// <summary>Index table name (the sweep's work list). Default <c>orderindex</c>.</summary>
    public string IndexTable { get; set; } = "orderindex";

    /// <summary>
    /// Callbacks whose signature does not verify may nudge an order's orchestration to query at most once per window,
    /// and are stored in its audit trail at most <see cref="UnverifiedStoredPerWindow"/> times per window. Default 1 min.
    /// </summary>
    public TimeSpan NotifyWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unverified callbacks stored per order per <see cref="NotifyWindow"/>; the rest are counted. Default 5.</summary>
    public int UnverifiedStoredPerWindow { get; set; } = 5;

    /// <summary>Unverified callbacks stored per order over its life; the rest are counted. Default 50.</summary>
    public int UnverifiedStoredPerOrder { get; set; } = 50;

    /// <summary>
    /// Callbacks naming no order of this product stored per minute (per process) in the shared audit partition; the
    /// rest are counted and logged. Default 60.
    /// </summary>
    public int UnaddressedStoredPerMinute { get; set; } = 60;

    /// <summary>
    /// Take a callback's sender address from the last <c>X-Forwarded-For</c> entry, the one the platform's front end
    /// appended (true in Azure). False: the connection's address (the local runner has no front end, and any
    /// X-Forwarded-For it sees is the client's own). Default false.
    /// </summary>
    public bool TrustForwardedFor { get; set; }

    /// <summary>
    /// How long the sweep leaves a new order to its create call before it checks that an orchestration runs it, and
    /// how long after the deadline it checks that the orchestration ended. Default 2 min.
    /// </summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Due orders one sweep run handles at most (the rest wait for the next run). Default 200.</summary>
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>How often the local runner runs the sweep (the Functions app's timer runs it every minute). Default 1 min.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Times the sweep restarts one order's orchestration before it only reports it. Default 5.</summary>
    public int SweepMaxRestarts { get; set; } = 5;

    /// <summary>
    /// When the sweep asks HaiPay again about an Expired order: <c>interval*count</c> steps, comma-separated. Default
    /// <c>01:00:00*24,1.00:00:00*7</c>: hourly for a day, then daily for a week (31 queries at most), then never.
    /// Read it parsed through <see cref="ExpiredRequerySchedule"/>.
    /// </summary>
    public string ExpiredRequery
    {
        get => _expiredRequery;
        set
        {
            _expiredRequery = value;
            _expiredRequerySchedule = null;
        }
    }

    /// <summary>
    /// How long the engine keeps an ended (Completed, Failed or Terminated) orchestration's instance row and history
    /// before the retention timer purges them, counted from the instance's creation. Default 30 days: far past the
    /// longest anything looks at an ended instance (a delivery retries for about a day, an expired order is re-queried
    /// for 8 days, through the store, not the history), leaving operators weeks to inspect a failed one. Running and
    /// pending instances are never purged.
    /// </summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long an ended order keeps the customer's name, phone and email, counted from its creation; then the
    /// retention timer erases them (from the order row, and wherever an audit entry's text repeats them). Default 180
    /// days: past the card and wallet dispute windows (up to 120 days after payment) with margin. Money fields,
    /// statuses, <c>partnerUserId</c> (the storefront's own pseudonymous customer id) and what HaiPay said stay. An
    /// order in NeedsReview keeps them until an operator resolves it.
    /// </summary>
    public TimeSpan CustomerDataRetention { get; set; } = TimeSpan.FromDays(180);

    /// <summary>How often the local runner runs the retention jobs (the Functions app's timer runs them hourly). Default 1 h.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long Key Vault secrets stay cached in memory. Default 10 min.</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Least time between two forced reloads of a currency's keys (after failed verifications), so a burst of bad
    /// signatures cannot storm Key Vault. Default 30 s.
    /// </summary>
    public TimeSpan KeyRefreshMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Queries one orchestration generation makes before it continues as new. Default 20.</summary>
    public int ContinueAsNewAfterQueries { get; set; } = 20;

    private string _queryBackoff = "00:00:15,00:00:30,00:01:00,00:02:00,00:05:00";
    private IReadOnlyList<TimeSpan>? _queryBackoffSchedule;
    private string _expiredRequery = "01:00:00*24,1.00:00:00*7";
    private IReadOnlyList<TimeSpan>? _expiredRequerySchedule;

    /// <summary><see cref="ExpiredRequery"/> expanded: the wait before each re-query; its length bounds the re-queries.</summary>
    public IReadOnlyList<TimeSpan> ExpiredRequerySchedule => _expiredRequerySchedule ??= StepSchedule.Parse(_expiredRequery);

    /// <summary><see cref="QueryBackoff"/> parsed (once); throws <see cref="FormatException"/> when it is not a list of TimeSpans.</summary>
    public IReadOnlyList<TimeSpan> QueryBackoffSchedule => _queryBackoffSchedule ??= ParseSchedule(_queryBackoff);

    private static IReadOnlyList<TimeSpan> ParseSchedule(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay)
                ? delay
                : throw new FormatException($"'{part}' is not a TimeSpan (expected e.g. 00:00:15)."))
            .ToList();
}

/// <summary>Checks <see cref="CollectOptions"/> at startup (ValidateOnStart): every problem in one message.</summary>
public sealed partial class CollectOptionsValidator : IValidateOptions<CollectOptions>
{
    /// <summary>
    /// The shortest <see cref="CollectOptions.HistoryRetention"/> accepted: one day (a storefront delivery's retries)
    /// past the deadline and the whole expired re-query schedule, so nothing an order may still go through is purged.
    /// </summary>
    public static TimeSpan MinimumHistoryRetention(CollectOptions options)
    {
        TimeSpan requery;
        try
        {
            requery = options.ExpiredRequerySchedule.Aggregate(TimeSpan.Zero, (sum, step) => sum + step);
        }
        catch (FormatException)
        {
            requery = TimeSpan.Zero; // reported on its own
        }
        return options.Deadline + requery + TimeSpan.FromDays(1);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();

    public ValidateOptionsResult Validate(string? name, CollectOptions options)
    {
        var failures = new List<string>();
        const string s = CollectOptions.SectionName;
        if (!Uri.TryCreate(options.NotifyUrl, UriKind.Absolute, out var notify) ||
            (notify.Scheme != Uri.UriSchemeHttp && notify.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{s}:NotifyUrl must be the absolute http(s) URL of this app's /api/haipay/notify.");
        }
        if (options.CreateWait < TimeSpan.Zero || options.CreateWait > TimeSpan.FromMinutes(3))
        {
            failures.Add($"{s}:CreateWait must be between 00:00:00 and 00:03:00.");
        }
        try
        {
            var schedule = options.QueryBackoffSchedule;
            if (schedule.Count == 0 || schedule.Any(delay => delay <= TimeSpan.Zero))
            {
                failures.Add($"{s}:QueryBackoff must list at least one positive TimeSpan.");
            }
        }
        catch (FormatException ex)
        {
            failures.Add($"{s}:QueryBackoff: {ex.Message}");
        }
        if (options.Deadline <= TimeSpan.Zero)
        {
            failures.Add($"{s}:Deadline must be positive.");
        }
        foreach (var (setting, table) in new[] { ("OrdersTable", options.OrdersTable), ("IndexTable", options.IndexTable) })
        {
            if (table is null || !TableName().IsMatch(table))
            {
                failures.Add($"{s}:{setting} must be a table name: 3-63 letters or digits, starting with a letter.");
            }
        }
        if (string.Equals(options.OrdersTable, options.IndexTable, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{s}:OrdersTable and {s}:IndexTable must differ.");
        }
        if (options.NotifyWindow <= TimeSpan.Zero)
        {
            failures.Add($"{s}:NotifyWindow must be positive.");
        }
        if (options.UnverifiedStoredPerWindow < 0 || options.UnverifiedStoredPerOrder < 0 || options.UnaddressedStoredPerMinute < 0)
        {
            failures.Add($"{s}:UnverifiedStoredPerWindow, UnverifiedStoredPerOrder and UnaddressedStoredPerMinute must not be negative.");
        }
        if (options.SweepGrace <= TimeSpan.Zero || options.SweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"{s}:SweepGrace and {s}:SweepInterval must be positive.");
        }
        if (options.SweepBatchSize is < 1 or > 5000)
        {
            failures.Add($"{s}:SweepBatchSize must be 1–5000.");
        }
        if (options.SweepMaxRestarts < 0)
        {
            failures.Add($"{s}:SweepMaxRestarts must not be negative.");
        }
        try
        {
            _ = options.ExpiredRequerySchedule;
        }
        catch (FormatException ex)
        {
            failures.Add($"{s}:ExpiredRequery: {ex.Message}");
        }
        foreach (var (setting, retention) in new[]
                 {
                     (nameof(CollectOptions.HistoryRetention), options.HistoryRetention),
                     (nameof(CollectOptions.CustomerDataRetention), options.CustomerDataRetention),
                 })
        {
            if (retention < MinimumHistoryRetention(options))
            {
                failures.Add($"{s}:{setting} must be at least {MinimumHistoryRetention(options)} (a day past the deadline and the expired re-query schedule).");
            }
        }
        if (options.RetentionInterval <= TimeSpan.Zero)
        {
            failures.Add($"{s}:RetentionInterval must be positive.");
        }
        if (options.KeyCacheTtl <= TimeSpan.Zero)
        {
            failures.Add($"{s}:KeyCacheTtl must be positive.");
        }
        if (options.KeyRefreshMinInterval < TimeSpan.Zero)
        {
            failures.Add($"{s}:KeyRefreshMinInterval must not be negative.");
        }
        if (options.ContinueAsNewAfterQueries < 1)
        {
            failures.Add($"{s}:ContinueAsNewAfterQueries must be at least 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
