using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Collect.Core.Catalogue;

/// <summary>
/// Keeps this instance's <see cref="LiveCatalogue"/> current: a fetch at start, then every
/// <see cref="CatalogueOptions.RefreshInterval"/>. A hosted service, not a timer function, on purpose: every instance
/// of the Functions app validates creates against its own copy, so every instance refreshes its own.
/// </summary>
public sealed class CatalogueRefreshService(LiveCatalogue catalogue, IOptions<CatalogueOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Live)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        try
        {
            do
            {
                await catalogue.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
