using HaiPay.Signing;
using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox;

/// <summary>Settings of the sandbox, bound from the <c>Sandbox</c> configuration section.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Base of the payUrl handed to customers. Default: the address the sandbox is bound to.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Wait between a failed callback delivery and the next try. Default 5 minutes, as HaiPay.</summary>
    public TimeSpan CallbackRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries after the first failed delivery (so at most 1 + this many attempts). Default 5.</summary>
    public int CallbackRetryCount { get; set; } = 5;

    /// <summary>Time allowed for one callback delivery attempt.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>notifyUrl used when an order has none (HaiPay's back-office setting). Default: none, no callback.</summary>
    public Uri? DefaultNotifyUrl { get; set; }

    /// <summary>Fee in percent of the collected amount, rounded to 2 decimals (away from zero). Default 1.5.</summary>
    public decimal FeePercent { get; set; } = 1.5m;

    /// <summary>Offset of the provider's local time in <c>payTime</c>. Default UTC+8.</summary>
    public TimeSpan ProviderUtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Drop null/empty fields before signing; must match the merchant's <c>HaiPay:SkipEmptyValues</c>.</summary>
    public bool SkipEmptyValues { get; set; } = true;

    /// <summary>Append <c>&amp;key={secretKey}</c>; must match the merchant's <c>HaiPay:AppendKey</c>.</summary>
    public bool AppendKey { get; set; } = true;

    /// <summary>Replaces the seed catalogue when not empty (same shape as <c>HaiPay:PaymentMethods</c>).</summary>
    public List<PaymentMethodOptions> PaymentMethods { get; set; } = [];

    /// <summary>Accepted phone numbers. Default: the product's default pattern.</summary>
    public string? PhonePattern { get; set; }

    /// <summary>What happens to orders that have no behaviour of their own.</summary>
    public OrderBehaviour DefaultBehaviour { get; set; } = new();

    /// <summary>AppId and secretKey per currency ("HKD", "USD"); whatever is missing is generated at start.</summary>
    public Dictionary<string, SandboxCurrencyOptions> Credentials { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The merchant's RSA private key (bare base64 or PEM). Generated at start when empty.</summary>
    public string? MerchantPrivateKey { get; set; }

    /// <summary>The sandbox platform's RSA private key (bare base64 or PEM). Generated at start when empty.</summary>
    public string? PlatformPrivateKey { get; set; }

    /// <summary>When set, the merchant-side settings are written there as JSON once the sandbox listens.</summary>
    public string? WriteSettingsTo { get; set; }

    /// <summary>
    /// The storefront receiver's signing secret (<c>/_storefront/events</c>); empty: a random one at start. The merchant
    /// settings the sandbox writes carry it (and the receiver's URL) as <c>Events:*</c>, so the product signs with it.
    /// </summary>
    public string? StorefrontSecret { get; set; }

    /// <summary>Whether the merchant settings point the product's storefront events at the receiver. Default true.</summary>
    public bool Storefront { get; set; } = true;

    public SignatureOptions Signature => new() { SkipEmptyValues = SkipEmptyValues, AppendKey = AppendKey };

    /// <summary>The settings that make no sense, as messages naming them; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (CallbackRetryInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:CallbackRetryInterval must be positive.");
        }
        if (CallbackRetryCount < 0)
        {
            problems.Add($"{SectionName}:CallbackRetryCount must not be negative.");
        }
        if (CallbackTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:CallbackTimeout must be positive.");
        }
        if (FeePercent is < 0 or >= 100)
        {
            problems.Add($"{SectionName}:FeePercent must be at least 0 and below 100.");
        }
        if (ProviderUtcOffset < TimeSpan.FromHours(-14) || ProviderUtcOffset > TimeSpan.FromHours(14) || ProviderUtcOffset.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            problems.Add($"{SectionName}:ProviderUtcOffset must be whole minutes between -14:00 and +14:00.");
        }
        if (PublicBaseUrl is { IsAbsoluteUri: false } || PublicBaseUrl is { Scheme: not ("http" or "https") })
        {
            problems.Add($"{SectionName}:PublicBaseUrl must be an absolute http or https URL.");
        }
        if (DefaultNotifyUrl is { IsAbsoluteUri: false } || DefaultNotifyUrl is { Scheme: not ("http" or "https") })
        {
            problems.Add($"{SectionName}:DefaultNotifyUrl must be an absolute http or https URL.");
        }
        problems.AddRange(BehaviourRules.Validate(DefaultBehaviour)
            .Select(p => $"{SectionName}:DefaultBehaviour: {p.Key} {string.Join(", ", p.Value)}."));
        return problems;
    }
}

/// <summary>Refuses unusable <see cref="SandboxOptions"/> at start, naming each bad setting.</summary>
internal sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

/// <summary>One currency's business ID and secret key, as HaiPay issues them.</summary>
public sealed class SandboxCurrencyOptions
{
    public long AppId { get; set; }
    public string? SecretKey { get; set; }
}

/// <summary>What the sandbox does with an order by itself (auto actions, pending phase, callbacks).</summary>
public sealed record OrderBehaviour
{
    /// <summary>Settle the order by itself after <see cref="AutoActionDelay"/>. Default: wait for the customer.</summary>
    public SettleAction? AutoAction { get; init; }

    /// <summary>Delay between the apply and the <see cref="AutoAction"/>.</summary>
    public TimeSpan AutoActionDelay { get; init; }

    /// <summary>
    /// When positive, a settle action first puts the order in status -1 (pending confirmation) for this long, then
    /// into its final status. Zero: straight to the final status.
    /// </summary>
    public TimeSpan PendingConfirmation { get; init; }

    /// <summary>How the final status is notified.</summary>
    public CallbackBehaviour Callback { get; init; } = new();
}

/// <summary>How the callbacks of a final transition are delivered.</summary>
public sealed record CallbackBehaviour
{
    /// <summary>Never send the callback (the order still reaches its final status).</summary>
    public bool Drop { get; init; }

    /// <summary>How many identical callbacks are sent (each delivered and retried on its own). Default 1.</summary>
    public int Copies { get; init; } = 1;

    /// <summary>Wait before the first delivery attempt.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>An extra, out-of-order callback sent after the final one's first delivery attempt.</summary>
    public CallbackReorder Reorder { get; init; }
}

/// <summary>The extra callback <see cref="CallbackBehaviour.Reorder"/> sends after the final one.</summary>
public enum CallbackReorder
{
    /// <summary>No extra callback.</summary>
    None,

    /// <summary>
    /// A stale callback carrying the status the order had just before its final one (-1 after a pending-confirmation
    /// phase, else 1 when the checkout page was opened, else 0), amount and fee 0.00, no payTime: as if an earlier
    /// notification arrived late.
    /// </summary>
    Stale,

    /// <summary>
    /// A callback contradicting the final status: 3 (failed) after 2/4/5, or 2 (success, full amount) after 3.
    /// Validly signed; a correct merchant keeps the first final status it saw and flags the contradiction.
    /// </summary>
    Contradicting,
}

/// <summary>How an order is settled: by the checkout buttons, the control API or an auto action.</summary>
public enum SettleAction
{
    /// <summary>Full amount collected: status 2.</summary>
    Pay,

    /// <summary>Nothing collected: status 3 with an errorMsg.</summary>
    Fail,

    /// <summary>Less than the amount collected (default half): status 4.</summary>
    Partial,

    /// <summary>More than the amount collected (default +10%): status 5.</summary>
    Over,
}
