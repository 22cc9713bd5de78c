namespace HaiPay.Sandbox;

/// <summary>
/// Runs work later, off the request path, under the state's current generation: a reset or shutdown abandons it.
/// </summary>
internal sealed class SandboxScheduler(SandboxState state, ILogger<SandboxScheduler> logger)
{
    public void After(TimeSpan delay, Action work)
    {
        var generation = state.Generation;
        _ = RunAsync(delay, work, generation);
    }

    private async Task RunAsync(TimeSpan delay, Action work, CancellationToken generation)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, generation);
            }
            else
            {
                await Task.Yield();
            }
            if (!generation.IsCancellationRequested)
            {
                work();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Scheduled sandbox work failed.");
        }
    }
}
