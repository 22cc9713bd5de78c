using Collect.Core;
using Collect.Core.Operations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner;

/// <summary>
/// The reconciliation sweep on a hosted timer, every <see cref="CollectOptions.SweepInterval"/> (the Functions app runs
/// the same <see cref="ReconciliationSweep"/> on its timer trigger). One run at a time; a failed run is logged and the
/// next one comes.
/// </summary>
public sealed partial class SweepService(
    ReconciliationSweep sweep,
    DurableTaskClient durable,
    IOptions<CollectOptions> options,
    ILogger<SweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await sweep.RunAsync(durable, stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweep run failed; the next run comes after the interval")]
    private partial void LogRunFailed(Exception exception);
}
