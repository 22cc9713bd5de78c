using Microsoft.Extensions.Options;

namespace Collect.Core.Catalogue;

/// <summary>
/// How the product follows HaiPay's live payment-method list (<c>POST /common/payment/config</c>), bound from the
/// <c>Catalogue</c> configuration section.
/// </summary>
public sealed class CatalogueOptions
{
    public const string SectionName = "Catalogue";

    /// <summary>Fetch HaiPay's live list at all. Off: the configured catalogue is always in force. Default on.</summary>
    public bool Live { get; set; } = true;

    /// <summary>How often each instance fetches the list (per currency, one signed call each). Default 5 min.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one fetch may take, retries included, before it counts as failed. Default 5 s.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the last verified list stays in force while fetches fail; after that the configured catalogue is.
    /// Default 1 h.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Refuses settings that would hammer HaiPay or never notice a change.</summary>
public sealed class CatalogueOptionsValidator : IValidateOptions<CatalogueOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogueOptions options)
    {
        var failures = new List<string>();
        if (options.RefreshInterval < TimeSpan.FromSeconds(1) || options.RefreshInterval > TimeSpan.FromDays(1))
        {
            failures.Add("Catalogue:RefreshInterval must be between 1 second and 1 day.");
        }
        if (options.FetchTimeout < TimeSpan.FromMilliseconds(100) || options.FetchTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Catalogue:FetchTimeout must be between 100 ms and 1 minute.");
        }
        if (options.StaleAfter < options.RefreshInterval)
        {
            failures.Add("Catalogue:StaleAfter must be at least Catalogue:RefreshInterval.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
