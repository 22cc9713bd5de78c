using Microsoft.Extensions.Options;

namespace Collect.Core.Events;

/// <summary>Storefront events (outbound webhooks), section <c>Events</c>. No <see cref="WebhookUrl"/>: no events at all.</summary>
public sealed class EventOptions
{
    public const string SectionName = "Events";

    /// <summary>The storefront's webhook; empty = no events are written or sent.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Signing secret (local runs; in Azure the Key Vault secret <c>storefront-webhook-secret</c>).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The secret being rotated out, still signed with (Key Vault: <c>storefront-webhook-secret-previous</c>).</summary>
    public string? PreviousSigningSecret { get; set; }

    /// <summary>
    /// Waits before each retry, <c>interval*count</c> steps. Default <c>00:01:00,00:05:00*2,00:10:00*5,01:00:00*5,06:00:00*3</c>
    /// (16 retries over about 24 hours, as Hyperswitch does).
    /// </summary>
    public string RetrySchedule
    {
        get => _retrySchedule;
        set
        {
            _retrySchedule = value;
            _parsed = null;
        }
    }

    /// <summary>One delivery attempt: connect, send, answer. Default 5 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => WebhookUrl is not null;

    public IReadOnlyList<TimeSpan> RetryWaits => _parsed ??= StepSchedule.Parse(_retrySchedule);

    private string _retrySchedule = "00:01:00,00:05:00*2,00:10:00*5,01:00:00*5,06:00:00*3";
    private IReadOnlyList<TimeSpan>? _parsed;
}

/// <summary>Checks <see cref="EventOptions"/> at start.</summary>
public sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        var failures = new List<string>();
        const string s = EventOptions.SectionName;
        if (options.WebhookUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{s}:WebhookUrl must be an absolute http(s) URL.");
        }
        if (options.AttemptTimeout <= TimeSpan.Zero || options.AttemptTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{s}:AttemptTimeout must be between 0 and 1 minute.");
        }
        try
        {
            _ = options.RetryWaits;
        }
        catch (FormatException ex)
        {
            failures.Add($"{s}:RetrySchedule: {ex.Message}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
