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

    /// <summary>Audit table name. Default <c>orderaudit</c>.</summary>
    public string AuditTable { get; set; } = "orderaudit";

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
        foreach (var (setting, table) in new[] { ("OrdersTable", options.OrdersTable), ("AuditTable", options.AuditTable) })
        {
            if (table is null || !TableName().IsMatch(table))
            {
                failures.Add($"{s}:{setting} must be a table name: 3-63 letters or digits, starting with a letter.");
            }
        }
        if (string.Equals(options.OrdersTable, options.AuditTable, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{s}:OrdersTable and {s}:AuditTable must differ.");
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
