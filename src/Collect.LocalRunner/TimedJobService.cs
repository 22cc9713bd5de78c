namespace Collect.LocalRunner;

/// <summary>
/// A job on a hosted timer, the runner's stand-in for a Functions timer trigger: <see cref="RunOnceAsync"/> every
/// <see cref="Interval"/>, one run at a time; a failed run is logged and the next one comes.
/// </summary>
public abstract partial class TimedJobService(ILogger logger) : BackgroundService
{
    /// <summary>The job's name in the failure log line.</summary>
    protected abstract string Job { get; }

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRunFailed(ex, Job);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Job} run failed; the next run comes after the interval")]
    private partial void LogRunFailed(Exception exception, string job);
}
