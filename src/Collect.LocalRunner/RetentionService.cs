using Collect.Core;
using Collect.Core.Operations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner;

/// <summary>
/// The retention jobs on a hosted timer, every <see cref="CollectOptions.RetentionInterval"/> (the Functions app runs
/// the same jobs on its timer trigger). A failed run is logged and the next one comes.
/// </summary>
public sealed partial class RetentionService(
    HistoryRetention history,
    CustomerDataRetention customerData,
    DurableTaskClient durable,
    IOptions<CollectOptions> options,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await history.RunAsync(durable, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRunFailed(ex);
                }
                try
                {
                    await customerData.RunAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRunFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention run failed; the next run comes after the interval")]
    private partial void LogRunFailed(Exception exception);
}
